package verity.learner.ledger;

import java.util.ArrayList;
import java.util.List;
import verity.actors.ids.PolicyVersion;

/**
 * Which policy versions are ancestors of the learner's current one. Every resume starts a new epoch
 * from a checkpoint: the versions of earlier epochs up to that checkpoint are ancestors, the ones
 * after it were discarded. So a version {@code v} of epoch {@code e} is an ancestor of the current
 * version of epoch {@code E} if no epoch after {@code e} (up to {@code E}) branched off below
 * {@code v}. Immutable.
 */
public final class VersionLineage {
  /** {@code branches.get(k - 1)}: the version value epoch {@code k} resumed from. */
  private final List<Long> branches;

  private VersionLineage(List<Long> branches) {
    this.branches = List.copyOf(branches);
  }

  /** A run that never resumed: epoch 0. */
  public static VersionLineage first() {
    return new VersionLineage(List.of());
  }

  /** The lineage after a resume from the checkpoint of {@code value}: the next epoch. */
  public VersionLineage resumedFrom(long value) {
    List<Long> next = new ArrayList<>(branches);
    next.add(value);
    return new VersionLineage(next);
  }

  /** The current epoch: how many resumes this run has had. */
  public long epoch() {
    return branches.size();
  }

  /**
   * True when {@code v} produced weights that {@code current} descends from (or is {@code
   * current}). {@code current} must be of this lineage's epoch.
   */
  public boolean isAncestor(PolicyVersion v, PolicyVersion current) {
    if (current.epoch() != epoch()) {
      throw new IllegalArgumentException(current + " is not of epoch " + epoch());
    }
    if (v.epoch() > current.epoch() || v.value() > current.value()) {
      return false;
    }
    for (long k = v.epoch() + 1; k <= current.epoch(); k++) {
      if (v.value() > branches.get((int) (k - 1))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "epoch " + epoch() + " (branched at " + branches + ")";
  }
}
