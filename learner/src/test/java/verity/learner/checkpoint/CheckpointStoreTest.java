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
import verity.learner.optim.OptimizerState;
import verity.policy.transformer.SafetensorsFile;

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
    return new Checkpoint(
        weights, OptimizerState.fromFlat(version * 3, m, v, weights.header().sizes()));
  }

  @Test
  void shouldReadBackExactlyWhatItWrote() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    Checkpoint c = checkpoint(7);
    CheckpointRef ref = store.save(c);
    Checkpoint back = store.load(ref);
    assertEquals(PolicyVersion.of(7), back.weights().version());
    assertEquals(c.weights().header().names(), back.weights().header().names());
    assertArrayEquals(c.weights().values().flatten(), back.weights().values().flatten());
    assertEquals(2, back.optimizer().m().size(), "moments per tensor");
    assertArrayEquals(c.optimizer().flatM(), back.optimizer().flatM());
    assertArrayEquals(c.optimizer().flatV(), back.optimizer().flatV());
    assertEquals(21, back.optimizer().steps());
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  void shouldDeleteAFileOnlyOnceTheJournalNoLongerRefersToIt() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    CheckpointRef v1 = store.save(checkpoint(1));
    CheckpointRef v2 = store.save(checkpoint(2));
    // The journal keeps two and refers to v1 and v2 until v3 is recorded: saving v3 deletes
    // nothing.
    CheckpointRef v3 = store.save(checkpoint(3));
    assertEquals(List.of("ckpt-000000001-e0", "ckpt-000000002-e0", "ckpt-000000003-e0"), names());
    assertEquals(1, store.prune(List.of(v2, v3)), "v3 is recorded: v1 is no longer referred to");
    assertEquals(List.of("ckpt-000000002-e0", "ckpt-000000003-e0"), names());
    assertFalse(Files.exists(Path.of(v1.path())));
  }

  @Test
  void shouldSweepTheTemporariesOfAnInterruptedWrite() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    CheckpointRef kept = store.save(checkpoint(1));
    Files.writeString(dir.resolve(".ckpt-123.tmp"), "half a checkpoint of an older Verity");
    Path half = Files.createDirectories(dir.resolve(".ckpt-456"));
    Files.writeString(half.resolve("model.safetensors.partial"), "half a checkpoint");
    assertEquals(2, store.sweepTemporaries());
    assertEquals(List.of(Path.of(kept.path()).getFileName().toString()), names());
  }

  @Test
  void shouldKeepTheEpochOfTheVersion() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    Checkpoint c = checkpoint(5);
    FlatWeights w = c.weights();
    FlatWeights inEpoch2 =
        FlatWeights.of(
            new PolicyVersion(2, 5), w.header().names(), w.header().shapes(), w.values().flatten());
    CheckpointRef ref = store.save(new Checkpoint(inEpoch2, c.optimizer()));
    assertEquals(new PolicyVersion(2, 5), store.load(ref).weights().version());
    assertTrue(ref.path().endsWith("ckpt-000000005-e2"));
  }

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void shouldDetectATruncatedOrAlteredFileAndFallBackToThePreviousGoodOne() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    List<CheckpointRef> refs = new ArrayList<>();
    for (long v = 1; v <= 3; v++) {
      refs.add(store.save(checkpoint(v)));
    }
    try (RandomAccessFile f = new RandomAccessFile(model(refs.get(2)), "rw")) {
      f.setLength(f.length() - 100);
    }
    assertThrows(CheckpointStore.CorruptCheckpointException.class, () -> store.load(refs.get(2)));
    try (RandomAccessFile f = new RandomAccessFile(optimizer(refs.get(1)), "rw")) {
      f.seek(200);
      int b = f.read();
      f.seek(200);
      f.write(b ^ 1);
    }
    assertThrows(CheckpointStore.CorruptCheckpointException.class, () -> store.load(refs.get(1)));
    Checkpoint good = store.loadLatestGood(refs).orElseThrow().checkpoint();
    assertEquals(PolicyVersion.of(1), good.weights().version());

    Files.delete(Path.of(refs.get(0).path(), CheckpointStore.MODEL));
    assertFalse(store.loadLatestGood(refs).isPresent());
  }

  static String model(CheckpointRef ref) {
    return Path.of(ref.path(), CheckpointStore.MODEL).toString();
  }

  static String optimizer(CheckpointRef ref) {
    return Path.of(ref.path(), CheckpointStore.OPTIMIZER).toString();
  }

  @Test
  void shouldWriteTheWeightsAsSafetensorsUnderTheirNamesAndTheMomentsBeside() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    Checkpoint c = checkpoint(9);
    CheckpointRef ref = store.save(c);
    SafetensorsFile model = SafetensorsFile.open(Path.of(model(ref)));
    assertEquals(List.of("embed", "head"), List.copyOf(model.entries().keySet()));
    assertArrayEquals(new long[] {10, 60}, model.entries().get("embed").shape());
    assertEquals("F32", model.entries().get("embed").dtype());
    assertEquals("pt", model.metadata().get("format"));
    assertArrayEquals(
        java.util.Arrays.copyOfRange(c.weights().values().flatten(), 600, 1000),
        model.readFloats("head"));
    SafetensorsFile optimizer = SafetensorsFile.open(Path.of(optimizer(ref)));
    assertEquals(
        List.of("embed.exp_avg", "embed.exp_avg_sq", "head.exp_avg", "head.exp_avg_sq"),
        List.copyOf(optimizer.entries().keySet()));
    assertArrayEquals(c.optimizer().m().get(1), optimizer.readFloats("head.exp_avg"));
    assertEquals("27", optimizer.metadata().get("verity.optimizer-steps"));
  }

  @Test
  void shouldRefuseACheckpointOfTheOlderSingleFileFormatByName() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    Path old =
        Files.write(dir.resolve("ckpt-000000004-e0.bin"), new byte[] {0x56, 0x43, 0x4B, 0x33});
    CheckpointStore.CorruptCheckpointException e =
        assertThrows(
            CheckpointStore.CorruptCheckpointException.class,
            () -> store.load(new CheckpointRef(PolicyVersion.of(4), old.toString(), 0)));
    assertTrue(e.getMessage().contains("older Verity"), e.getMessage());
  }
}
