package verity.actors.ids;

/** A policy version: 0 is the initial policy, and each learner step publishes the next one. */
public record PolicyVersion(long value) implements Comparable<PolicyVersion> {
  public static final PolicyVersion INITIAL = new PolicyVersion(0);

  public PolicyVersion {
    if (value < 0) {
      throw new IllegalArgumentException("policy version must be >= 0, got " + value);
    }
  }

  public PolicyVersion next() {
    return new PolicyVersion(value + 1);
  }

  /** How many versions this one lags behind {@code newer}; 0 when it is not older. */
  public long behind(PolicyVersion newer) {
    return Math.max(0, newer.value - value);
  }

  public boolean isNewerThan(PolicyVersion other) {
    return value > other.value;
  }

  @Override
  public int compareTo(PolicyVersion o) {
    return Long.compare(value, o.value);
  }

  @Override
  public String toString() {
    return "v" + value;
  }
}
