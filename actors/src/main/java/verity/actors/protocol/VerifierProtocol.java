package verity.actors.protocol;

import java.util.List;
import verity.actors.VerityMessage;

/** What rollout workers send to reward verifiers (role {@code reward}). */
public final class VerifierProtocol {
  private VerifierProtocol() {}

  /** A message a reward verifier accepts. */
  public sealed interface Command extends VerityMessage permits VerifyBatch {}

  /** Score these trajectories and pass them on to the learner. */
  public record VerifyBatch(List<Trajectory> trajectories) implements Command {
    public VerifyBatch {
      trajectories = List.copyOf(trajectories);
    }
  }
}
