package verity.actors.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;

class WeightValuesTest {
  private static final List<int[]> SHAPES = List.of(new int[] {2, 3}, new int[] {4});

  private static float[] flat() {
    float[] v = new float[10];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f;
    }
    return v;
  }

  @Test
  void shouldCutAFlatArrayIntoOneArrayPerTensorAndLayThemBackEndToEnd() {
    WeightValues w = WeightValues.split(flat(), SHAPES);
    assertEquals(2, w.tensorCount());
    assertEquals(10, w.length());
    assertArrayEquals(new float[] {3f, 3.5f, 4f, 4.5f}, w.tensor(1));
    assertArrayEquals(flat(), w.flatten());
  }

  @Test
  void shouldChecksumTheTensorsLikeTheFlatArrayTheyCameFrom() {
    assertEquals(
        WeightsChecksum.of(flat()), WeightsChecksum.of(WeightValues.split(flat(), SHAPES)));
  }

  @Test
  void shouldCopyIntoArraysItDoesNotShare() {
    WeightValues w = WeightValues.split(flat(), SHAPES);
    WeightValues c = w.copy();
    assertNotSame(w.tensor(0), c.tensor(0));
    c.tensor(0)[0] = 99f;
    assertEquals(0f, w.tensor(0)[0]);
  }

  @Test
  void shouldRefuseValuesThatDoNotFitTheShapesAndNameTheTensor() {
    assertThrows(IllegalArgumentException.class, () -> WeightValues.split(new float[9], SHAPES));
    assertThrows(IllegalArgumentException.class, () -> WeightValues.split(new float[11], SHAPES));
    WeightsHeader header = new WeightsHeader(PolicyVersion.of(1), List.of("w", "b"), SHAPES, 10, 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FlatWeights(header, WeightValues.of(List.of(new float[6], new float[3]))));
    assertTrue(e.getMessage().contains("tensor b holds 3 values"), e.getMessage());
  }

  @Test
  void shouldRefuseATensorLargerThanOneArrayWithoutAllocatingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WeightValues.zeros(List.of(new int[] {4}, new int[] {65536, 65536})));
    assertTrue(e.getMessage().contains("tensor 1 has 4294967296 values"), e.getMessage());
  }
}
