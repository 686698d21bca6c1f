package verity.actors.cluster;

import akka.actor.typed.BackoffSupervisorStrategy;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.JournalProtocol;
import com.esotericsoftware.kryo.KryoException;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Says once, in an event-sourced ledger's log (the task source's or the learner's), why a journal
 * failure stopped it: a journal written by an older Verity (events or a snapshot this version
 * cannot read) in one line that says what to do, any other failed recovery or a failed write with
 * the journal's error (on PostgreSQL, the fence's refusal of a former coordinator's write).
 *
 * <p>How persisted records evolve: a record, once released, never changes, because Kryo writes its
 * fields in order without names. A change is a new record type registered under a new id that the
 * event handler applies beside the old one (or an event adapter upgrades the old one to it); an id
 * is never reused, so a journal in a retired format fails to replay with an unregistered id (and
 * this line) instead of being misread. Golden-bytes tests keep the bytes of every persisted record
 * as released and fail when one changes.
 *
 * <p>Hand-written because Akka's supervisor of an event-sourced actor logs every journal failure
 * with its whole stack trace, which for an older journal is the serializer's, and it offers no
 * signal for a failed write. So a ledger turns Akka's logging off ({@link #SILENT_STOP}), reports a
 * failed recovery from its {@code RecoveryFailed} signal ({@link #recoveryFailed}), and runs inside
 * {@link #around}, which notices the stop that follows a failed write. The actor stops either way,
 * as it did with Akka's default; its parent decides what comes next.
 */
public final class JournalFailureLog {
  /**
   * The event-sourced actor's own strategy on a journal failure: stop (no restart), without Akka's
   * log; this class logs it.
   */
  public static final BackoffSupervisorStrategy SILENT_STOP =
      SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0)
          .withMaxRestarts(0)
          .withLoggingEnabled(false);

  /** What an operator reads when the {@code journal}'s journal was written by an older Verity. */
  public static String olderJournal(String journal) {
    return "the "
        + journal
        + "'s journal was written by an older Verity and cannot be read by this one: finish that"
        + " run with the Verity that started it, or start over with --fresh";
  }

  private final Logger log;
  private final String journal;
  private boolean reported;

  /**
   * @param log the ledger's log
   * @param journal what the ledger is, for the messages ({@code "task source"}, {@code "learner"})
   */
  public JournalFailureLog(Logger log, String journal) {
    this.log = log;
    this.journal = journal;
  }

  /** Whether {@code failure} comes from reading events or snapshots in a format this one lacks. */
  public static boolean writtenByOlderVersion(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof KryoException) {
        return true;
      }
    }
    return false;
  }

  /** Reports a failed recovery, once (Akka signals it twice, the second time wrapped). */
  public void recoveryFailed(Throwable failure) {
    if (reported) {
      return;
    }
    reported = true;
    if (writtenByOlderVersion(failure)) {
      log.error(olderJournal(journal));
    } else {
      log.error("the {} could not recover its journal: {}", journal, failure.getMessage(), failure);
    }
  }

  /** {@code behavior}, and a line in the log if it stops on a failed journal write. */
  @SuppressWarnings("unchecked")
  public <T> Behavior<T> around(Behavior<T> behavior) {
    return Behaviors.intercept(
        () -> (BehaviorInterceptor<T, T>) (BehaviorInterceptor<?, ?>) new StopWatch(), behavior);
  }

  /**
   * Sees every message on its way in: the task source never stops itself, so a message after which
   * it is no longer alive is the journal's answer that a write failed (or a failed recovery,
   * reported already).
   */
  private final class StopWatch extends BehaviorInterceptor<Object, Object> {
    StopWatch() {
      super(Object.class);
    }

    @Override
    public Behavior<Object> aroundReceive(
        TypedActorContext<Object> ctx, Object msg, ReceiveTarget<Object> target) {
      Behavior<Object> next = target.apply(ctx, msg);
      if (!Behavior.isAlive(next) && !reported) {
        reported = true;
        Throwable cause = writeFailure(msg);
        log.error(
            "the {} stopped: its journal failed a write ({}); what it journaled before stands",
            journal,
            cause == null ? "no cause given" : cause.getMessage(),
            cause);
      }
      return next;
    }
  }

  /** The cause of a failed write, if {@code msg} is the journal's answer that a write failed. */
  private static Throwable writeFailure(Object msg) {
    return msg instanceof JournalProtocol.WriteMessageFailure failure ? failure.cause() : null;
  }
}
