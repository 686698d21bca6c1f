package verity.actors.protocol;

import java.util.List;
import verity.actors.VerityMessage;

/** What reward verifiers send to the learner (role {@code learner}). */
public final class LearnerProtocol {
  private LearnerProtocol() {}

  /** A message the learner's intake accepts. */
  public sealed interface Command extends VerityMessage permits ScoredBatch {}

  /** Scored trajectories, ready to be grouped and trained on. */
  public record ScoredBatch(List<ScoredTrajectory> scored) implements Command {
    public ScoredBatch {
      scored = List.copyOf(scored);
    }
  }
}
