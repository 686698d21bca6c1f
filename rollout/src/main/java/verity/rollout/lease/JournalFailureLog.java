package verity.rollout.lease;

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
 * Says once, in the task source's log, why a journal failure stopped it: a journal written by an
 * older Verity (events or a snapshot this version cannot read) in one line that says what to do,
 * any other failed recovery or a failed write with the journal's error.
 *
 * <p>Hand-written because Akka's supervisor of an event-sourced actor logs every journal failure
 * with its whole stack trace, which for an older journal is the serializer's, and it offers no
 * signal for a failed write. So the task source turns Akka's logging off ({@link #SILENT_STOP}),
 * reports a failed recovery from its {@code RecoveryFailed} signal ({@link #recoveryFailed}), and
 * runs inside {@link #around}, which notices the stop that follows a failed write. The actor stops
 * either way, as it did with Akka's default; its parent decides what comes next.
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

  /** What an operator reads when the journal was written by an older Verity. */
  public static final String OLDER_JOURNAL =
      "the task source's journal was written by an older Verity and cannot be read by this one:"
          + " finish that run with the Verity that started it, or start over with --fresh";

  private final Logger log;
  private boolean reported;

  /**
   * @param log the task source's log
   */
  public JournalFailureLog(Logger log) {
    this.log = log;
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
      log.error(OLDER_JOURNAL);
    } else {
      log.error("the task source could not recover its journal: {}", failure.getMessage(), failure);
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
            "the task source stopped: its journal failed a write ({}); what it journaled before"
                + " stands",
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
