package verity.learner.intake;

import java.util.List;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.protocol.ScoredTrajectory;

/** The samples of one leased task, complete, in arrival order. */
public record Group(LeaseId lease, List<ScoredTrajectory> members) {
  public Group {
    members = List.copyOf(members);
    if (members.isEmpty()) {
      throw new IllegalArgumentException("the group of " + lease + " is empty");
    }
  }

  public TaskId task() {
    return members.get(0).trajectory().task();
  }

  /** The oldest version that produced any token of the group: what its staleness is. */
  public PolicyVersion oldestVersion() {
    PolicyVersion oldest = members.get(0).trajectory().oldestVersion();
    for (ScoredTrajectory s : members) {
      if (oldest.isNewerThan(s.trajectory().oldestVersion())) {
        oldest = s.trajectory().oldestVersion();
      }
    }
    return oldest;
  }
}
