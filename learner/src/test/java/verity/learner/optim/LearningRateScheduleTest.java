package verity.learner.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void shouldHoldAConstantRate() {
    LearningRateSchedule s = LearningRateSchedule.constant(3e-4);
    assertEquals(3e-4, s.at(1));
    assertEquals(3e-4, s.at(1_000_000));
  }

  @Test
  void shouldWarmUpLinearlyThenHold() {
    LearningRateSchedule s =
        new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 1.0, 4, 0, 0);
    assertEquals(0.2, s.at(1), 1e-12);
    assertEquals(0.8, s.at(4), 1e-12);
    assertEquals(1.0, s.at(5), 1e-12);
    assertEquals(1.0, s.at(500), 1e-12);
  }

  @Test
  void shouldDecayByACosineToItsFloorAndStayThere() {
    LearningRateSchedule s =
        new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1.0, 10, 110, 0.1);
    assertEquals(1.0, s.at(10), 0.1); // the last warm-up step
    assertEquals(1.0, s.at(11), 1e-3);
    assertEquals(0.55, s.at(60), 1e-12); // halfway: the mean of peak and floor
    assertEquals(0.1, s.at(110), 1e-12);
    assertEquals(0.1, s.at(10_000), 1e-12);
    for (long t = 11; t < 110; t++) {
      assertTrue(s.at(t + 1) <= s.at(t), "non-increasing at " + t);
    }
  }

  @Test
  void shouldRefuseASchedulesThatCannotBe() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1.0, 10, 10, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 0, 0, 0, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 1, -1, 0, 0));
  }
}
