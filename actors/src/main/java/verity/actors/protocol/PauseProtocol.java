package verity.actors.protocol;

import akka.actor.typed.ActorRef;
import verity.actors.VerityMessage;

/**
 * How an operator (the console) pauses and resumes a run's rollouts. The task source answers it
 * under {@link verity.actors.cluster.ServiceKeys#RUN_PAUSE}: while paused it hands out no lease;
 * leases already out are settled or expire as usual. The pause is journaled with the leases, so it
 * holds across a restart or a move of the task source.
 */
public final class PauseProtocol {
  private PauseProtocol() {}

  /** A message the task source accepts from an operator. */
  public sealed interface Command extends VerityMessage permits SetPaused, GetPauseState {}

  /**
   * Pause ({@code paused} true) or resume the run's rollouts; {@code by} says who asked, for the
   * log. Answered with the state once it is journaled.
   */
  public record SetPaused(boolean paused, String by, ActorRef<PauseState> replyTo)
      implements Command {}

  /** Ask whether rollouts are paused. */
  public record GetPauseState(ActorRef<PauseState> replyTo) implements Command {}

  /** Whether the run's rollouts are paused. */
  public record PauseState(boolean paused) implements VerityMessage {}
}
