package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import verity.actors.protocol.VerifierProtocol;

/**
 * A rollout worker's finished batches that no verifier has taken yet, oldest first. Only the first
 * is on offer: it goes to the next verifier (round robin), again a moment after a refusal, and
 * again when no answer came within the accept timeout. Not an actor: the worker owns it and calls
 * it on the actor's thread; the timer it starts sends the worker {@code resend}.
 *
 * @param <T> the worker's message type
 */
final class VerifierOffers<T> {
  private static final Duration REJECTED_BACKOFF = Duration.ofMillis(250);
  private static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(5);

  private final ActorRef<VerifierProtocol.Command> verifiers;
  private final TimerScheduler<T> timers;
  private final T resend;
  private final ArrayDeque<VerifierProtocol.VerifyBatch> held = new ArrayDeque<>();
  private long refused;

  /**
   * @param resend the worker's message that {@link #resend()} must be called on
   */
  VerifierOffers(ActorRef<VerifierProtocol.Command> verifiers, TimerScheduler<T> timers, T resend) {
    this.verifiers = verifiers;
    this.timers = timers;
    this.resend = resend;
  }

  /** Holds a finished batch until a verifier takes it; offers it now if it is the first. */
  void add(VerifierProtocol.VerifyBatch batch) {
    held.add(batch);
    if (held.size() == 1) {
      offer();
    }
  }

  /**
   * A verifier answered.
   *
   * @return whether it took the batch on offer (the next one, if any, is offered now)
   */
  boolean answered(VerifierProtocol.Reply reply) {
    VerifierProtocol.VerifyBatch first = held.peek();
    if (first == null) {
      return false;
    }
    if (reply instanceof VerifierProtocol.Accepted a && a.batch() == first.batch()) {
      held.poll();
      timers.cancel(resend);
      if (!held.isEmpty()) {
        offer();
      }
      return true;
    }
    if (reply instanceof VerifierProtocol.Rejected r && r.batch() == first.batch()) {
      refused++;
      timers.startSingleTimer(resend, REJECTED_BACKOFF);
    }
    return false;
  }

  /** The resend timer fired: the batch on offer goes out again. */
  void resend() {
    if (!held.isEmpty()) {
      offer();
    }
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  int batches() {
    return held.size();
  }

  /** The trajectories of the batches held. */
  int trajectories() {
    return held.stream().mapToInt(b -> b.trajectories().size()).sum();
  }

  /** How often a verifier refused a batch, over the worker's incarnation. */
  long refused() {
    return refused;
  }

  private void offer() {
    verifiers.tell(held.peek());
    timers.startSingleTimer(resend, ACCEPT_TIMEOUT);
  }
}
