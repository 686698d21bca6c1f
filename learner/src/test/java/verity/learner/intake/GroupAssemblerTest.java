package verity.learner.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static verity.learner.intake.Groups.sample;

import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;
import verity.actors.ids.LeaseSet;
import verity.actors.ids.PolicyVersion;
import verity.learner.LearnerSettings.StaleHandling;
import verity.learner.StalenessPolicy;
import verity.learner.intake.GroupAssembler.Outcome;
import verity.learner.ledger.VersionLineage;

class GroupAssemblerTest {
  static final VersionLineage FIRST = VersionLineage.first();
  static final PolicyVersion V3 = PolicyVersion.of(3);

  static GroupAssembler assembler(int maxStaleness) {
    return new GroupAssembler(
        new StalenessPolicy(maxStaleness, StaleHandling.REJECT, 0.5), new LeaseSet());
  }

  @Test
  void aGroupCompletesOnceAndALaterCopyOfItIsARepeat() {
    GroupAssembler a = assembler(2);
    assertEquals(Outcome.ADDED, a.admit(sample(1, 0, 2, V3), V3, FIRST).outcome());
    assertEquals(Outcome.REPEATED, a.admit(sample(1, 0, 2, V3), V3, FIRST).outcome());
    GroupAssembler.Admission done = a.admit(sample(1, 1, 2, V3), V3, FIRST);
    assertEquals(Outcome.COMPLETED, done.outcome());
    assertEquals(2, done.group().members().size());
    // The same batch scored again by a second verifier: no second group of lease 1.
    assertEquals(Outcome.REPEATED, a.admit(sample(1, 0, 2, V3), V3, FIRST).outcome());
    assertEquals(Outcome.REPEATED, a.admit(sample(1, 1, 2, V3), V3, FIRST).outcome());
    assertEquals(0, a.buffered());
  }

  @Test
  void aLeaseConsumedBeforeTheRestartIsARepeat() {
    LeaseSet consumed = new LeaseSet();
    consumed.add(new LeaseId(9));
    GroupAssembler a =
        new GroupAssembler(new StalenessPolicy(2, StaleHandling.REJECT, 0.5), consumed);
    assertEquals(Outcome.REPEATED, a.admit(sample(9, 0, 1, V3), V3, FIRST).outcome());
  }

  @Test
  void aTooStaleLeaseIsRejectedOnceWithItsPartialGroupAndItsLaterSamplesCounted() {
    GroupAssembler a = assembler(0);
    assertEquals(Outcome.ADDED, a.admit(sample(1, 0, 3, V3), V3, FIRST).outcome());
    GroupAssembler.Admission rejected =
        a.admit(sample(1, 1, 3, PolicyVersion.of(2)), V3, FIRST); // one version behind, η = 0
    assertEquals(Outcome.REJECTED, rejected.outcome());
    assertEquals(2, rejected.rejected(), "the partial group goes with it");
    assertEquals(Outcome.REJECTED_AGAIN, a.admit(sample(1, 2, 3, V3), V3, FIRST).outcome());
    assertEquals(Outcome.REPEATED, a.admit(sample(1, 2, 3, V3), V3, FIRST).outcome());
  }

  @Test
  void aVersionOfADiscardedLineageIsRejected() {
    VersionLineage resumed = FIRST.resumedFrom(2);
    PolicyVersion current = new PolicyVersion(1, 3);
    GroupAssembler a = assembler(100);
    assertEquals(
        Outcome.REJECTED,
        a.admit(sample(1, 0, 1, PolicyVersion.of(3)), current, resumed).outcome(),
        "v3 of epoch 0 was discarded by the resume from v2");
    assertEquals(
        Outcome.COMPLETED,
        a.admit(sample(2, 0, 1, PolicyVersion.of(2)), current, resumed).outcome(),
        "v2 of epoch 0 is an ancestor");
  }
}
