package verity.learner.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GroupAdvantagesTest {
  @Test
  void shouldCenterAndScaleWithinTheGroup() {
    float[] a = GroupAdvantages.of(new double[] {1, 0, 0, 1}, true);
    assertArrayEquals(new float[] {1, -1, -1, 1}, a, 1e-4f);
  }

  @Test
  void shouldOnlyCenterWithoutStdNormalization() {
    float[] a = GroupAdvantages.of(new double[] {1, 0, 0, 0}, false);
    assertArrayEquals(new float[] {0.75f, -0.25f, -0.25f, -0.25f}, a, 1e-6f);
  }

  @Test
  void shouldGiveNoAdvantageWhenEveryoneScoredTheSame() {
    assertArrayEquals(new float[3], GroupAdvantages.of(new double[] {1, 1, 1}, true));
    assertEquals(0, GroupAdvantages.of(new double[0], true).length);
  }
}
