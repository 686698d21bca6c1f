package verity.learner.intake;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import verity.actors.ids.LeaseId;
import verity.actors.ids.LeaseSet;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.ScoredTrajectory;
import verity.learner.StalenessPolicy;
import verity.learner.ledger.VersionLineage;

/**
 * The learner's intake: gathers scored trajectories into complete groups (all samples of one lease)
 * and decides on arrival what cannot be trained. A lease is taken once: after its group completed,
 * or it was rejected, trained or dropped, every later delivery of it (a batch scored twice by two
 * verifiers, a resend, a straggler) is refused, so the same lease never forms a second group.
 * Trajectories whose versions are not ancestors of the learner's (a lineage a resume discarded) or
 * too stale to keep are rejected, once per lease. Not thread-safe: one actor owns it.
 */
public final class GroupAssembler {

  /** What became of one trajectory. */
  public enum Outcome {
    /** Added to its lease's group, which is not complete yet. */
    ADDED,
    /** Added, and its group is now complete: {@link Admission#group()} is it. */
    COMPLETED,
    /** The lease was taken already, or this very trajectory arrived before: dropped. */
    REPEATED,
    /**
     * The lease's first trajectory that is too stale or of a discarded lineage: the lease is
     * rejected ({@link Admission#rejected()} of this many trajectories, its partial group included)
     * and is to be settled so.
     */
    REJECTED,
    /** A later trajectory of a rejected lease: counted as rejected, nothing to settle. */
    REJECTED_AGAIN
  }

  /**
   * The outcome of one trajectory; {@code group} is set for {@link Outcome#COMPLETED}, {@code
   * rejected} counts the trajectories dropped by a {@link Outcome#REJECTED}.
   */
  public record Admission(Outcome outcome, LeaseId lease, Group group, int rejected) {}

  private final StalenessPolicy staleness;
  private final Map<LeaseId, List<ScoredTrajectory>> filling = new HashMap<>();

  /** Leases this learner will take no trajectory of again. */
  private final LeaseSet taken;

  /** Rejected leases whose group has not been seen whole yet: lease → trajectories seen. */
  private final Map<LeaseId, Integer> rejectedSeen = new HashMap<>();

  /**
   * @param consumed the leases the journal says surviving steps consumed: taken already
   */
  public GroupAssembler(StalenessPolicy staleness, LeaseSet consumed) {
    this.staleness = staleness;
    this.taken = consumed.copy();
  }

  /**
   * Admits one scored trajectory while the learner is at {@code current} of {@code lineage}.
   *
   * @return what became of it
   */
  public Admission admit(ScoredTrajectory s, PolicyVersion current, VersionLineage lineage) {
    LeaseId lease = s.trajectory().id().lease();
    int groupSize = s.trajectory().groupSize();
    if (taken.contains(lease)) {
      Integer seen = rejectedSeen.get(lease);
      if (seen == null) {
        return new Admission(Outcome.REPEATED, lease, null, 0);
      }
      countRejected(lease, seen + 1, groupSize);
      return new Admission(Outcome.REJECTED_AGAIN, lease, null, 1);
    }
    PolicyVersion oldest = s.trajectory().oldestVersion();
    boolean ancestors =
        lineage.isAncestor(oldest, current)
            && lineage.isAncestor(s.trajectory().newestVersion(), current);
    if (!ancestors || staleness.rejectsOnAdmission(oldest.behind(current))) {
      List<ScoredTrajectory> partial = filling.remove(lease);
      int count = 1 + (partial == null ? 0 : partial.size());
      taken.add(lease);
      countRejected(lease, count, groupSize);
      return new Admission(Outcome.REJECTED, lease, null, count);
    }
    List<ScoredTrajectory> members = filling.computeIfAbsent(lease, l -> new ArrayList<>());
    for (ScoredTrajectory m : members) {
      if (m.trajectory().id().equals(s.trajectory().id())) {
        return new Admission(Outcome.REPEATED, lease, null, 0);
      }
    }
    members.add(s);
    if (members.size() < groupSize) {
      return new Admission(Outcome.ADDED, lease, null, 0);
    }
    filling.remove(lease);
    taken.add(lease);
    return new Admission(Outcome.COMPLETED, lease, new Group(lease, members), 0);
  }

  private void countRejected(LeaseId lease, int seen, int groupSize) {
    if (seen >= groupSize) {
      rejectedSeen.remove(lease);
    } else {
      rejectedSeen.put(lease, seen);
    }
  }

  /** Trajectories waiting for the rest of their group. */
  public int buffered() {
    return filling.values().stream().mapToInt(List::size).sum();
  }
}
