package verity.actors.cluster;

import akka.persistence.typed.RecoveryFailed;
import akka.persistence.typed.javadsl.SignalHandler;
import akka.persistence.typed.javadsl.SignalHandlerBuilder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How Verity's persisted events evolve, and what a reader of an older journal is told.
 *
 * <p>The rule: a persisted record (an event or a snapshot) never changes once released, because
 * Kryo writes its fields in order without names. A change is a new record type registered under a
 * new id, which the event handler applies beside the old one (or an event adapter upgrades the old
 * one to it); an id is never reused, so a journal in a retired format fails to replay with an
 * unregistered id instead of being misread. The golden-bytes tests keep the bytes of every
 * persisted record as released and fail when one changes.
 */
public final class JournalFormat {
  private static final Logger LOG = LoggerFactory.getLogger(JournalFormat.class);

  private JournalFormat() {}

  /**
   * A signal handler for an event-sourced ledger that turns a failed recovery into one clear line:
   * usually a journal written by an older Verity whose events this one no longer reads.
   *
   * @param journal what the journal is, for the message ({@code "task source"}, {@code "learner"})
   */
  public static <S> SignalHandler<S> recoveryFailureHandler(
      Supplier<SignalHandlerBuilder<S>> builder, String journal) {
    return builder
        .get()
        .onSignal(
            RecoveryFailed.class,
            (state, failed) ->
                LOG.error(
                    "the {} journal cannot be replayed ({}): it was probably written by an older"
                        + " Verity; finish that run with the version that wrote it, or start over"
                        + " with --fresh",
                    journal,
                    rootMessage(failed.getFailure())))
        .build();
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
