package verity.actors.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol.WeightsChunk;

class WeightsAssemblerTest {

  static FlatWeights weights(long version, int n, long seed) {
    Random r = new Random(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = r.nextFloat();
    }
    return FlatWeights.of(
        PolicyVersion.of(version),
        List.of("a", "b"),
        List.of(new int[] {n - 10}, new int[] {10}),
        values);
  }

  @Test
  void shouldAssembleChunksArrivingInAnyOrder() {
    FlatWeights w = weights(3, 1000, 1);
    List<WeightsChunk> chunks = new ArrayList<>(WeightsChunker.split(w, 64));
    assertEquals(16, chunks.size());
    Collections.shuffle(chunks, new Random(2));
    WeightsAssembler assembler = new WeightsAssembler();
    Optional<FlatWeights> done = Optional.empty();
    for (int i = 0; i < chunks.size(); i++) {
      done = assembler.offer(chunks.get(i));
      assertEquals(i == chunks.size() - 1, done.isPresent(), "complete only after the last chunk");
    }
    assertArrayEquals(w.values(), done.get().values());
    assertEquals(w.header(), done.get().header());
  }

  @Test
  void shouldRefuseAVersionWhoseChecksumDoesNotMatch() {
    FlatWeights w = weights(3, 200, 1);
    List<WeightsChunk> chunks = WeightsChunker.split(w, 64);
    chunks.get(1).data()[5] += 0.5f;
    WeightsAssembler assembler = new WeightsAssembler();
    for (int i = 0; i < chunks.size() - 1; i++) {
      assertTrue(assembler.offer(chunks.get(i)).isEmpty());
    }
    assertThrows(
        WeightsAssembler.ChecksumMismatchException.class,
        () -> assembler.offer(chunks.get(chunks.size() - 1)));
    assertTrue(assembler.pending().isEmpty(), "a corrupt version is dropped");
  }

  @Test
  void shouldLetANewerVersionReplaceAnUnfinishedOlderOne() {
    List<WeightsChunk> older = WeightsChunker.split(weights(3, 200, 1), 64);
    FlatWeights newer = weights(4, 200, 2);
    WeightsAssembler assembler = new WeightsAssembler();
    assembler.offer(older.get(0));
    Optional<FlatWeights> done = Optional.empty();
    for (WeightsChunk c : WeightsChunker.split(newer, 64)) {
      done = assembler.offer(c);
      assertTrue(assembler.offer(older.get(1)).isEmpty(), "chunks of an older version are ignored");
    }
    assertEquals(PolicyVersion.of(4), done.get().version());
    assertArrayEquals(newer.values(), done.get().values());
  }
}
