package verity.actors.ids;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A set of lease ids of any {@code long} value, as one bit per id in pages of 65,536 ids: a run's
 * leases are numbered densely from 1, so a million leases cost about 128 KiB, where a hash set of
 * boxed ids would cost tens of megabytes. Not thread-safe.
 */
public final class LeaseSet {
  private static final int PAGE_BITS = 16;
  private static final long PAGE_MASK = (1L << PAGE_BITS) - 1;

  private final Map<Long, long[]> pages = new HashMap<>();
  private long size;

  public LeaseSet() {}

  private LeaseSet(LeaseSet other) {
    other.pages.forEach((k, v) -> pages.put(k, v.clone()));
    size = other.size;
  }

  /** Adds {@code lease}; true when it was not in the set. */
  public boolean add(LeaseId lease) {
    long id = lease.value();
    long[] page = pages.computeIfAbsent(id >>> PAGE_BITS, k -> new long[1 << (PAGE_BITS - 6)]);
    int bit = (int) (id & PAGE_MASK);
    long mask = 1L << (bit & 63);
    if ((page[bit >>> 6] & mask) != 0) {
      return false;
    }
    page[bit >>> 6] |= mask;
    size++;
    return true;
  }

  /** Removes {@code lease}; true when it was in the set. */
  public boolean remove(LeaseId lease) {
    long id = lease.value();
    long[] page = pages.get(id >>> PAGE_BITS);
    int bit = (int) (id & PAGE_MASK);
    long mask = 1L << (bit & 63);
    if (page == null || (page[bit >>> 6] & mask) == 0) {
      return false;
    }
    page[bit >>> 6] &= ~mask;
    size--;
    return true;
  }

  public boolean contains(LeaseId lease) {
    long id = lease.value();
    long[] page = pages.get(id >>> PAGE_BITS);
    int bit = (int) (id & PAGE_MASK);
    return page != null && (page[bit >>> 6] & (1L << (bit & 63))) != 0;
  }

  public long size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Every id in the set, in ascending order. */
  public void forEach(LongConsumer action) {
    pages.keySet().stream()
        .sorted()
        .forEach(
            k -> {
              long[] page = pages.get(k);
              for (int w = 0; w < page.length; w++) {
                long word = page[w];
                while (word != 0) {
                  int b = Long.numberOfTrailingZeros(word);
                  action.accept((k << PAGE_BITS) | ((long) w << 6) | b);
                  word &= word - 1;
                }
              }
            });
  }

  /** An independent copy. */
  public LeaseSet copy() {
    return new LeaseSet(this);
  }
}
