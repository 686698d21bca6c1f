package verity.learner.intake;

import java.util.ArrayList;
import java.util.List;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Segment;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;

/** Scored trajectories for the intake's tests: sample {@code i} of a group of {@code size}. */
final class Groups {
  private Groups() {}

  static ScoredTrajectory sample(long lease, int i, int size, PolicyVersion version) {
    Trajectory t =
        new Trajectory(
            new TrajectoryId(new LeaseId(lease), i),
            "arith",
            new TaskId("task-" + lease),
            size,
            new int[] {4, 13},
            new int[] {6, 2},
            new boolean[] {true, true},
            new float[] {-1f, -1f},
            "3",
            List.of(new Segment(0, 2, version)),
            "w");
    return new ScoredTrajectory(
        t, i == 0 ? new Verdict(1, Verdict.Reason.CORRECT) : new Verdict(0, Verdict.Reason.WRONG));
  }

  static Group group(long lease, int size, PolicyVersion version) {
    List<ScoredTrajectory> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      members.add(sample(lease, i, size, version));
    }
    return new Group(new LeaseId(lease), members);
  }
}
