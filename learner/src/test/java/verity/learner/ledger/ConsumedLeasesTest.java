package verity.learner.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;

class ConsumedLeasesTest {
  @Test
  void aLeaseConsumedTwiceStaysConsumedWhenOneOfTheStepsIsDiscarded() {
    ConsumedLeases consumed = new ConsumedLeases();
    LeaseId lease = new LeaseId(5);
    consumed.consume(lease); // a surviving step
    consumed.consume(lease); // a later step, discarded by a resume
    assertEquals(1, consumed.duplicates());
    consumed.discard(lease);
    assertTrue(consumed.contains(lease), "the surviving step still consumed it");
    assertEquals(0, consumed.duplicates());
    consumed.discard(lease);
    assertFalse(consumed.contains(lease));
  }

  @Test
  void leaseIdsBeyondTheIntRangeAreConsumed() {
    ConsumedLeases consumed = new ConsumedLeases();
    LeaseId big = new LeaseId(1L << 33);
    consumed.consume(big);
    assertTrue(consumed.contains(big));
    assertTrue(consumed.leases().contains(big));
  }
}
