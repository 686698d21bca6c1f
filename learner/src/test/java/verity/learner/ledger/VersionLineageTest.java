package verity.learner.ledger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;

class VersionLineageTest {
  static PolicyVersion v(long epoch, long value) {
    return new PolicyVersion(epoch, value);
  }

  @Test
  void versionsAfterABranchPointOfALaterEpochAreNotAncestors() {
    // Epoch 0 ran to v30; epoch 1 resumed from v20 and ran to v40; epoch 2 resumed from v30/e1.
    VersionLineage lineage = VersionLineage.first().resumedFrom(20).resumedFrom(30);
    PolicyVersion current = v(2, 35);
    assertTrue(lineage.isAncestor(v(0, 15), current));
    assertTrue(lineage.isAncestor(v(0, 20), current), "the checkpoint epoch 1 resumed from");
    assertFalse(lineage.isAncestor(v(0, 25), current), "discarded by the first resume");
    assertTrue(lineage.isAncestor(v(1, 25), current));
    assertTrue(lineage.isAncestor(v(1, 30), current));
    assertFalse(lineage.isAncestor(v(1, 31), current), "discarded by the second resume");
    assertTrue(lineage.isAncestor(v(2, 35), current));
    assertFalse(lineage.isAncestor(v(2, 36), current), "not published yet");
    assertFalse(lineage.isAncestor(v(3, 1), current), "an epoch this lineage never had");
  }

  @Test
  void theSameValueInTwoEpochsIsTwoVersions() {
    VersionLineage lineage = VersionLineage.first().resumedFrom(4);
    assertTrue(lineage.isAncestor(v(1, 5), v(1, 5)));
    assertFalse(lineage.isAncestor(v(0, 5), v(1, 5)), "v5 of epoch 0 was discarded");
  }
}
