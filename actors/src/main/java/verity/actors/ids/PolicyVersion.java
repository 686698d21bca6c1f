package verity.actors.ids;

/**
 * A policy version: {@code value} counts the learner steps that produced it (0 is the initial
 * policy, each step publishes the next), and {@code epoch} counts the learner's resumes. A resume
 * goes back to a checkpoint and bumps the epoch, so the steps it discarded and the steps taken
 * again after it never share a name: a straggler's trajectory from a discarded {@code v12} (epoch
 * 0) is not mistaken for the new {@code v12/e1}.
 *
 * <p>Versions are ordered by epoch, then value: the store's version after a resume is newer than
 * anything of the discarded lineage, so replicas move to it. Which versions of older epochs are
 * still ancestors of the current one is the learner's to say (it knows where each epoch branched).
 */
public record PolicyVersion(long epoch, long value) implements Comparable<PolicyVersion> {
  public static final PolicyVersion INITIAL = new PolicyVersion(0, 0);

  public PolicyVersion {
    if (value < 0 || epoch < 0) {
      throw new IllegalArgumentException(
          "policy version and epoch must be >= 0, got v" + value + " epoch " + epoch);
    }
  }

  /** Version {@code value} of the first epoch (a run that never resumed). */
  public static PolicyVersion of(long value) {
    return new PolicyVersion(0, value);
  }

  /** The version the next step publishes, in the same epoch. */
  public PolicyVersion next() {
    return new PolicyVersion(epoch, value + 1);
  }

  /** The same weights named in {@code newEpoch}: what a resume republishes its checkpoint as. */
  public PolicyVersion inEpoch(long newEpoch) {
    return new PolicyVersion(newEpoch, value);
  }

  /**
   * How many steps this version lags behind {@code newer}; 0 when it is not older. Meaningful only
   * when this version is an ancestor of {@code newer}.
   */
  public long behind(PolicyVersion newer) {
    return Math.max(0, newer.value - value);
  }

  public boolean isNewerThan(PolicyVersion other) {
    return compareTo(other) > 0;
  }

  @Override
  public int compareTo(PolicyVersion o) {
    int byEpoch = Long.compare(epoch, o.epoch);
    return byEpoch != 0 ? byEpoch : Long.compare(value, o.value);
  }

  /** {@code v12} in the first epoch, {@code v12/e1} after the first resume. */
  @Override
  public String toString() {
    return epoch == 0 ? "v" + value : "v" + value + "/e" + epoch;
  }
}
