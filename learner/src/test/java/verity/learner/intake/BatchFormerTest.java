package verity.learner.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verity.learner.intake.Groups.group;

import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.learner.LearnerSettings.StaleHandling;
import verity.learner.StalenessPolicy;

class BatchFormerTest {
  @Test
  void formsABatchOnlyWhenEnoughFreshGroupsAreThereAndDropsStaleOnes() {
    BatchFormer f = new BatchFormer(2, new StalenessPolicy(1, StaleHandling.REJECT, 0.5), true);
    PolicyVersion v5 = PolicyVersion.of(5);
    f.add(group(1, 2, PolicyVersion.of(3))); // two versions behind v5, η = 1: stale
    f.add(group(2, 2, v5));
    BatchFormer.Formation first = f.form(v5, l -> false);
    assertFalse(first.ready());
    assertEquals(List.of(new LeaseId(1)), first.staleLeases());
    f.add(group(3, 2, PolicyVersion.of(4)));
    BatchFormer.Formation second = f.form(v5, l -> false);
    assertTrue(second.ready());
    assertEquals(
        List.of(new LeaseId(2), new LeaseId(3)),
        second.groups().stream().map(Group::lease).toList());
    assertEquals(4, second.samples().size());
    assertEquals(1f, second.samples().get(0).advantage(), 1e-4f, "group-relative advantage");
    assertEquals(-1f, second.samples().get(1).advantage(), 1e-4f);
    assertEquals(0, f.groups());
  }

  @Test
  void aGroupWhoseLeaseAStepConsumedMeanwhileIsDroppedWhenTheBatchIsFormed() {
    BatchFormer f = new BatchFormer(1, new StalenessPolicy(8, StaleHandling.REJECT, 0.5), true);
    PolicyVersion v1 = PolicyVersion.of(1);
    f.add(group(7, 2, v1));
    f.add(group(8, 2, v1));
    BatchFormer.Formation batch = f.form(v1, l -> l.value() == 7);
    assertEquals(List.of(new LeaseId(7)), batch.consumed().stream().map(Group::lease).toList());
    assertEquals(List.of(new LeaseId(8)), batch.groups().stream().map(Group::lease).toList());
  }

  @Test
  void aDownWeightedGroupCarriesItsWeight() {
    BatchFormer f =
        new BatchFormer(1, new StalenessPolicy(0, StaleHandling.DOWN_WEIGHT, 0.5), false);
    f.add(group(1, 2, PolicyVersion.of(3)));
    BatchFormer.Formation batch = f.form(PolicyVersion.of(5), l -> false);
    assertEquals(0.25f, batch.samples().get(0).weight(), 1e-6f);
    assertEquals(2, batch.samples().get(0).staleness());
  }
}
