package verity.learner.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.learner.optim.FlatAdam;

class CheckpointStoreTest {
  @TempDir Path dir;

  static Checkpoint checkpoint(long version) {
    float[] w = new float[1000];
    float[] m = new float[1000];
    float[] v = new float[1000];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.sin(i + version);
      m[i] = i * 1e-3f;
      v[i] = (float) version / (i + 1);
    }
    FlatWeights weights =
        FlatWeights.of(
            PolicyVersion.of(version),
            List.of("embed", "head"),
            List.of(new int[] {10, 60}, new int[] {400}),
            w);
    return new Checkpoint(weights, new FlatAdam.State(m, v, version * 3));
  }

  @Test
  void shouldReadBackExactlyWhatItWrote() throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 2);
    Checkpoint c = checkpoint(7);
    CheckpointRef ref = store.save(c);
    Checkpoint back = store.load(ref);
    assertEquals(PolicyVersion.of(7), back.weights().version());
    assertEquals(c.weights().header().names(), back.weights().header().names());
    assertArrayEquals(c.weights().values(), back.weights().values());
    assertArrayEquals(c.optimizer().m(), back.optimizer().m());
    assertArrayEquals(c.optimizer().v(), back.optimizer().v());
    assertEquals(21, back.optimizer().steps());
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  void shouldKeepOnlyTheRetainedNewestFiles() throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 2);
    for (long v = 1; v <= 4; v++) {
      store.save(checkpoint(v));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("ckpt-000000003.bin", "ckpt-000000004.bin"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void shouldDetectATruncatedOrAlteredFileAndFallBackToThePreviousGoodOne() throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 3);
    List<CheckpointRef> refs = new ArrayList<>();
    for (long v = 1; v <= 3; v++) {
      refs.add(store.save(checkpoint(v)));
    }
    try (RandomAccessFile f = new RandomAccessFile(refs.get(2).path(), "rw")) {
      f.setLength(f.length() - 100);
    }
    assertThrows(CheckpointStore.CorruptCheckpointException.class, () -> store.load(refs.get(2)));
    try (RandomAccessFile f = new RandomAccessFile(refs.get(1).path(), "rw")) {
      f.seek(200);
      int b = f.read();
      f.seek(200);
      f.write(b ^ 1);
    }
    assertThrows(CheckpointStore.CorruptCheckpointException.class, () -> store.load(refs.get(1)));
    Checkpoint good = store.loadLatestGood(refs).orElseThrow().checkpoint();
    assertEquals(PolicyVersion.of(1), good.weights().version());

    Files.delete(Path.of(refs.get(0).path()));
    assertFalse(store.loadLatestGood(refs).isPresent());
  }
}
