package verity.actors.protocol;

import akka.actor.typed.ActorRef;
import java.util.List;
import verity.actors.VerityMessage;

/**
 * What rollout workers send to reward verifiers (role {@code reward}) and what they answer. A
 * verifier accepts a batch only if its bounded queue has room and its suite is not paused; a
 * rejected batch stays with the worker, which tries again later and leases no new work meanwhile.
 * That is how slow or broken verification pushes back on rollout instead of filling a mailbox.
 */
public final class VerifierProtocol {
  private VerifierProtocol() {}

  /** A message a reward verifier accepts. */
  public sealed interface Command extends VerityMessage permits VerifyBatch {}

  /** Score these trajectories and pass them on to the learner; answer whether you took them. */
  public record VerifyBatch(long batch, List<Trajectory> trajectories, ActorRef<Reply> replyTo)
      implements Command {
    public VerifyBatch {
      trajectories = List.copyOf(trajectories);
    }
  }

  /** A verifier's answer to a batch. */
  public sealed interface Reply extends VerityMessage permits Accepted, Rejected {}

  /** The batch is queued: it will be scored and sent to the learner. */
  public record Accepted(long batch) implements Reply {}

  /** The batch was not taken (queue full, suite paused); offer it again later. */
  public record Rejected(long batch, String reason) implements Reply {}
}
