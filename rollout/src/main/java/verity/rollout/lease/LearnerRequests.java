package verity.rollout.lease;

import akka.actor.typed.ActorRef;
import java.util.List;
import java.util.Optional;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.ClaimAnswer;
import verity.actors.protocol.LeaseProtocol.ClaimLeases;
import verity.actors.protocol.LeaseProtocol.ClaimsReleased;
import verity.actors.protocol.LeaseProtocol.ReleaseClaims;
import verity.actors.protocol.LeaseProtocol.ReopenConfirmed;
import verity.actors.protocol.LeaseProtocol.ReopenLeases;
import verity.actors.protocol.LeaseProtocol.SettleLeases;
import verity.actors.protocol.LeaseProtocol.SettlementConfirmed;

/**
 * What each of the learner's requests to the task source ({@link LeaseProtocol}) journals, as the
 * {@link LeaseBook} decides it, and the answer the learner gets once that is journaled. A request
 * acted on before journals nothing and is answered all the same.
 */
public final class LearnerRequests {
  private LearnerRequests() {}

  /**
   * The events a request journals (maybe none) and the {@code reply} that {@code replyTo} is sent
   * once they are journaled.
   */
  public record Answer<R>(List<LeaseEvent> events, ActorRef<R> replyTo, R reply) {
    public Answer {
      events = List.copyOf(events);
    }

    /** Sends the reply. */
    public void send() {
      replyTo.tell(reply);
    }
  }

  /** The answer to {@code request}, decided from {@code book} as it is. */
  public static Answer<?> answer(LeaseBook book, LeaseProtocol.Command request) {
    if (request instanceof SettleLeases s) {
      return new Answer<>(
          events(book.settle(s.leases(), s.settlement())),
          s.replyTo(),
          new SettlementConfirmed(s.leases()));
    }
    if (request instanceof ReopenLeases r) {
      return new Answer<>(
          events(book.reopen(r.leases(), r.tasks())), r.replyTo(), new ReopenConfirmed(r.leases()));
    }
    if (request instanceof ClaimLeases c) {
      LeaseBook.ClaimDecision d = book.claim(c.leases(), c.epoch());
      return new Answer<>(
          events(d.event()), c.replyTo(), new ClaimAnswer(d.granted(), d.refused()));
    }
    ReleaseClaims r = (ReleaseClaims) request;
    return new Answer<>(book.releaseClaims(r.epoch()), r.replyTo(), new ClaimsReleased(r.epoch()));
  }

  private static List<LeaseEvent> events(Optional<? extends LeaseEvent> event) {
    return event.<List<LeaseEvent>>map(List::of).orElse(List.of());
  }
}
