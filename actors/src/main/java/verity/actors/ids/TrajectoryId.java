package verity.actors.ids;

/** Identifies one sample of a leased task: the lease and the sample's index within its group. */
public record TrajectoryId(LeaseId lease, int sample) {
  @Override
  public String toString() {
    return lease.value() + "/" + sample;
  }
}
