package verity.reward;

import java.util.ArrayList;
import java.util.List;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.UnknownTaskException;

/**
 * Scores trajectories with the verifier's own copy of the suite: the task is looked up by id (the
 * worker's prompt is not trusted), and the suite's pure check judges the completion. A trajectory
 * of another suite or of an unknown task is malformed; a check that throws has crashed.
 */
public final class TrajectoryScorer {
  private static final Verdict MALFORMED = new Verdict(0.0, Verdict.Reason.MALFORMED);
  private static final Verdict CRASHED = new Verdict(0.0, Verdict.Reason.CRASHED);

  private final Suite suite;

  public TrajectoryScorer(Suite suite) {
    this.suite = suite;
  }

  public List<ScoredTrajectory> score(List<Trajectory> trajectories) {
    List<ScoredTrajectory> out = new ArrayList<>(trajectories.size());
    for (Trajectory t : trajectories) {
      out.add(new ScoredTrajectory(t, verdict(t)));
    }
    return out;
  }

  public Verdict verdict(Trajectory t) {
    if (!suite.name().equals(t.suite())) {
      return MALFORMED;
    }
    Task task;
    try {
      task = suite.lookup(t.task().value());
    } catch (UnknownTaskException e) {
      return MALFORMED;
    }
    try {
      return VerdictMapper.of(suite.check(task, suite.completionText(t.actions())));
    } catch (RuntimeException e) {
      return CRASHED;
    }
  }
}
