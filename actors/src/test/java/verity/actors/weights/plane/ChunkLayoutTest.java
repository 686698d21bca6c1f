package verity.actors.weights.plane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.WeightsHeader;

class ChunkLayoutTest {

  @Test
  void shouldCutEachTensorIntoChunksThatNeverSpanTwoTensors() {
    WeightsHeader h =
        new WeightsHeader(
            PolicyVersion.of(1),
            List.of("a", "b", "c"),
            List.of(new int[] {5, 5}, new int[] {3}, new int[] {10}),
            38,
            0L);
    ChunkLayout layout = new ChunkLayout(h, 10);
    // a: 25 values -> 10, 10, 5; b: 3; c: 10
    assertEquals(5, layout.count());
    long[] offsets = {0, 10, 20, 25, 28};
    int[] lengths = {10, 10, 5, 3, 10};
    int[] tensors = {0, 0, 0, 1, 2};
    for (int i = 0; i < layout.count(); i++) {
      assertEquals(offsets[i], layout.offset(i), "offset of chunk " + i);
      assertEquals(lengths[i], layout.length(i), "length of chunk " + i);
      assertEquals(tensors[i], layout.tensor(i), "tensor of chunk " + i);
    }
    assertEquals(10, layout.maxLength());
    assertEquals(38, layout.totalValues());
  }
}
