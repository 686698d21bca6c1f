package verity.actors.ids;

/** Identifies one lease of one task to one rollout worker; unique within a run. */
public record LeaseId(long value) {
  @Override
  public String toString() {
    return "lease-" + value;
  }
}
