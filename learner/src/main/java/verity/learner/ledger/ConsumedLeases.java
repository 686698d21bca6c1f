package verity.learner.ledger;

import java.util.HashMap;
import java.util.Map;
import verity.actors.ids.LeaseId;
import verity.actors.ids.LeaseSet;

/**
 * The leases consumed by the steps that survive, counted with multiplicity: a lease consumed by two
 * steps is a duplicate, and when a resume discards one of them the lease is still consumed by the
 * other. One bit per lease, plus a small map for the (should-be-absent) repeats.
 */
public final class ConsumedLeases {
  private final LeaseSet once = new LeaseSet();
  private final Map<Long, Integer> repeats = new HashMap<>();
  private long duplicates;

  /** A surviving step consumed {@code lease}. */
  public void consume(LeaseId lease) {
    if (!once.add(lease)) {
      repeats.merge(lease.value(), 1, Integer::sum);
      duplicates++;
    }
  }

  /** A step that consumed {@code lease} was discarded by a resume. */
  public void discard(LeaseId lease) {
    Integer extra = repeats.get(lease.value());
    if (extra == null) {
      once.remove(lease);
      return;
    }
    duplicates--;
    if (extra == 1) {
      repeats.remove(lease.value());
    } else {
      repeats.put(lease.value(), extra - 1);
    }
  }

  public boolean contains(LeaseId lease) {
    return once.contains(lease);
  }

  /** Consumptions beyond the first of a lease, by surviving steps. */
  public long duplicates() {
    return duplicates;
  }

  /** The consumed leases, as an independent set. */
  public LeaseSet leases() {
    return once.copy();
  }
}
