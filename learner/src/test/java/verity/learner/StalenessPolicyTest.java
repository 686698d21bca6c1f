package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import verity.learner.LearnerSettings.StaleHandling;

class StalenessPolicyTest {
  @Test
  void shouldRejectBeyondTheBoundWhenConfiguredToReject() {
    StalenessPolicy p = new StalenessPolicy(2, StaleHandling.REJECT, 0.5);
    assertEquals(1f, p.weight(2));
    assertEquals(0f, p.weight(3));
    assertTrue(p.rejectsOnAdmission(3));
    assertFalse(p.rejectsOnAdmission(2));
  }

  @Test
  void shouldDownWeightGeometricallyBeyondTheBound() {
    StalenessPolicy p = new StalenessPolicy(1, StaleHandling.DOWN_WEIGHT, 0.5);
    assertEquals(1f, p.weight(1));
    assertEquals(0.5f, p.weight(2));
    assertEquals(0.125f, p.weight(4));
    assertFalse(p.rejectsOnAdmission(10));
  }

  @Test
  void shouldTreatEtaZeroAsStrictlyOnPolicy() {
    StalenessPolicy p = new StalenessPolicy(0, StaleHandling.REJECT, 0.5);
    assertEquals(1f, p.weight(0));
    assertTrue(p.rejectsOnAdmission(1));
  }
}
