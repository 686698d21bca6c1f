package verity.learner.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;
import verity.actors.weights.WeightsChecksum;
import verity.actors.weights.WeightsHeader;
import verity.learner.optim.OptimizerState;
import verity.policy.transformer.CheckpointException;
import verity.policy.transformer.SafetensorsFile;
import verity.policy.transformer.SafetensorsWriter;

/**
 * Checkpoints on disk, in safetensors: one directory per version ({@code ckpt-000000123-e1/})
 * holding {@code model.safetensors} (the weights under the policy's parameter names, fp32; a
 * transformer's load in Hugging Face as they are) and beside it {@code optimizer.safetensors}
 * (AdamW's moments per tensor as {@code NAME.exp_avg} and {@code NAME.exp_avg_sq}, with the step
 * count, the version and the weights' checksum in its metadata). Both are written one tensor at a
 * time (from a {@link CheckpointSource}) into a temporary directory, fsynced, and the directory is
 * renamed into place, so that a crash leaves either the old checkpoint or the new one. The CRC32C
 * of both files' bytes is recorded in the journal; loading checks it and falls back to the previous
 * good checkpoint when a file is corrupt, truncated or missing. A checkpoint is deleted only once
 * the journal no longer refers to it ({@link #prune}), and temporaries of a write that a crash
 * interrupted are swept at start ({@link #sweepTemporaries}).
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  static final String MODEL = "model.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  private static final String FIRST = ".exp_avg";
  private static final String SECOND = ".exp_avg_sq";
  private static final String STEPS = "verity.optimizer-steps";
  private static final String EPOCH = "verity.version-epoch";
  private static final String VALUE = "verity.version-value";
  private static final String WEIGHTS_CRC = "verity.weights-crc32c";

  private final Path dir;

  public CheckpointStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /**
   * Writes a checkpoint atomically; returns what the journal should record. Nothing is deleted
   * here: the checkpoint the journal refers to now stays until the journal no longer refers to it.
   */
  public CheckpointRef save(CheckpointSource c) throws IOException {
    Files.createDirectories(dir);
    PolicyVersion version = c.version();
    Path target = dir.resolve(String.format("ckpt-%09d-e%d", version.value(), version.epoch()));
    Path tmp = Files.createTempDirectory(dir, ".ckpt-");
    CRC32C files = new CRC32C();
    CRC32C weights = new CRC32C();
    List<String> names = c.names();
    List<SafetensorsWriter.Tensor> model = new ArrayList<>(names.size());
    List<SafetensorsWriter.Tensor> optimizer = new ArrayList<>(2 * names.size());
    for (int i = 0; i < names.size(); i++) {
      int at = i;
      long[] shape = longs(c.shapes().get(i));
      model.add(
          new SafetensorsWriter.Tensor(
              names.get(i),
              shape,
              () -> {
                float[] w = c.weights(at);
                WeightsChecksum.update(weights, w);
                return w;
              }));
      optimizer.add(new SafetensorsWriter.Tensor(names.get(i) + FIRST, shape, () -> c.m(at)));
      optimizer.add(new SafetensorsWriter.Tensor(names.get(i) + SECOND, shape, () -> c.v(at)));
    }
    Map<String, String> versionMeta = new LinkedHashMap<>();
    versionMeta.put("format", "pt");
    versionMeta.put(EPOCH, Long.toString(version.epoch()));
    versionMeta.put(VALUE, Long.toString(version.value()));
    SafetensorsWriter.write(
        tmp.resolve(MODEL), model, SafetensorsWriter.Dtype.F32, versionMeta, files);
    Map<String, String> optimizerMeta = new LinkedHashMap<>(versionMeta);
    optimizerMeta.put(STEPS, Long.toString(c.optimizerSteps()));
    optimizerMeta.put(WEIGHTS_CRC, Long.toString(weights.getValue()));
    SafetensorsWriter.write(
        tmp.resolve(OPTIMIZER), optimizer, SafetensorsWriter.Dtype.F32, optimizerMeta, files);
    sync(tmp);
    if (Files.exists(target)) {
      deleteTree(target); // a version written again after a crash that the journal never recorded
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    sync(dir);
    return new CheckpointRef(c.version(), target.toString(), files.getValue());
  }

  /** A checkpoint read back, with the reference it was found by. */
  public record Loaded(CheckpointRef ref, Checkpoint checkpoint) {}

  /**
   * The newest of {@code refs} (newest last) whose file is intact; corrupt or missing ones are
   * logged and skipped.
   */
  public Optional<Loaded> loadLatestGood(List<CheckpointRef> refs) {
    for (int i = refs.size() - 1; i >= 0; i--) {
      CheckpointRef ref = refs.get(i);
      try {
        return Optional.of(new Loaded(ref, load(ref)));
      } catch (IOException | CorruptCheckpointException e) {
        LOG.error(
            "checkpoint {} unusable ({}); trying the previous one", ref.path(), e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Thrown when a checkpoint's bytes do not hash to what the journal recorded. */
  public static final class CorruptCheckpointException extends RuntimeException {
    CorruptCheckpointException(String message) {
      super(message);
    }
  }

  /**
   * Reads one checkpoint and checks it against its reference.
   *
   * @throws CorruptCheckpointException when the checksum or the layout does not hold
   */
  public Checkpoint load(CheckpointRef ref) throws IOException {
    Path checkpoint = Path.of(ref.path());
    if (Files.isRegularFile(checkpoint)) {
      throw new CorruptCheckpointException(
          ref.path() + ": a checkpoint of an older Verity (one binary file); start the run afresh");
    }
    Path model = checkpoint.resolve(MODEL);
    Path optimizer = checkpoint.resolve(OPTIMIZER);
    for (Path f : List.of(model, optimizer)) {
      if (!Files.exists(f)) {
        throw new NoSuchFileException(f.toString());
      }
    }
    CRC32C crc = new CRC32C();
    crcOf(model, crc);
    crcOf(optimizer, crc);
    if (crc.getValue() != ref.checksum()) {
      throw new CorruptCheckpointException(
          ref.path()
              + ": checksum "
              + Long.toHexString(crc.getValue())
              + " but the journal recorded "
              + Long.toHexString(ref.checksum()));
    }
    Checkpoint c = read(checkpoint);
    if (!c.weights().version().equals(ref.version())) {
      throw new CorruptCheckpointException(
          ref.path() + ": holds " + c.weights().version() + ", the journal says " + ref.version());
    }
    return c;
  }

  /**
   * The weights of the newest checkpoint file in the directory (by epoch, then version) whose
   * content matches its own header checksum, for an export after the run, when no journal is at
   * hand; empty when there is none. Files that do not read are logged and skipped.
   */
  public Optional<FlatWeights> newestWeights() throws IOException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files =
          listing
              .filter(f -> f.getFileName().toString().matches("ckpt-\\d+-e\\d+"))
              .sorted(Comparator.comparing(CheckpointStore::epochThenVersion).reversed())
              .toList();
    }
    for (Path f : files) {
      try {
        return Optional.of(read(f).weights());
      } catch (CorruptCheckpointException e) {
        LOG.error("checkpoint {} unusable ({}); trying the previous one", f, e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** {@code ckpt-000000123-e1} as (1, 123), for ordering. */
  private static String epochThenVersion(Path file) {
    String name = file.getFileName().toString();
    String version = name.substring(5, name.indexOf("-e"));
    String epoch = name.substring(name.indexOf("-e") + 2);
    return String.format("%020d-%020d", Long.parseLong(epoch), Long.parseLong(version));
  }

  /**
   * The checkpoint in {@code checkpoint}, its weights checked against the checksum written beside
   * them.
   *
   * @throws CorruptCheckpointException when a file does not read as a checkpoint of this layout
   */
  private static Checkpoint read(Path checkpoint) {
    try {
      SafetensorsFile model = SafetensorsFile.open(checkpoint.resolve(MODEL));
      SafetensorsFile optimizer = SafetensorsFile.open(checkpoint.resolve(OPTIMIZER));
      Map<String, String> meta = optimizer.metadata();
      PolicyVersion version =
          new PolicyVersion(number(meta, EPOCH, checkpoint), number(meta, VALUE, checkpoint));
      List<String> names = new ArrayList<>(model.entries().keySet());
      List<int[]> shapes = new ArrayList<>(names.size());
      long total = 0;
      for (SafetensorsFile.Entry e : model.entries().values()) {
        int[] shape = new int[e.shape().length];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = Math.toIntExact(e.shape()[d]);
        }
        shapes.add(shape);
        total += e.elements();
      }
      List<float[]> values = new ArrayList<>(names.size());
      List<float[]> m = new ArrayList<>(names.size());
      List<float[]> v = new ArrayList<>(names.size());
      for (String name : names) {
        float[] w = model.readFloats(name);
        values.add(w);
        m.add(sized(optimizer.readFloats(name + FIRST), w.length, name + FIRST, checkpoint));
        v.add(sized(optimizer.readFloats(name + SECOND), w.length, name + SECOND, checkpoint));
      }
      if (optimizer.entries().size() != 2 * names.size()) {
        throw new CorruptCheckpointException(
            checkpoint
                + ": "
                + optimizer.entries().size()
                + " optimizer tensors for "
                + names.size()
                + " parameters");
      }
      FlatWeights weights =
          new FlatWeights(
              new WeightsHeader(
                  version, names, shapes, total, number(meta, WEIGHTS_CRC, checkpoint)),
              WeightValues.of(values));
      if (!weights.checksumMatches()) {
        throw new CorruptCheckpointException(
            checkpoint + ": the weights do not match the checksum written beside them");
      }
      return new Checkpoint(weights, new OptimizerState(number(meta, STEPS, checkpoint), m, v));
    } catch (CheckpointException | ArithmeticException e) {
      throw new CorruptCheckpointException(e.getMessage());
    }
  }

  private static float[] sized(float[] values, int size, String name, Path checkpoint) {
    if (values.length != size) {
      throw new CorruptCheckpointException(
          checkpoint + ": " + name + " holds " + values.length + " values, its tensor " + size);
    }
    return values;
  }

  private static long number(Map<String, String> meta, String key, Path checkpoint) {
    String text = meta.get(key);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new CorruptCheckpointException(checkpoint + ": metadata " + key + " = " + text);
    }
  }

  private static long[] longs(int[] shape) {
    long[] out = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      out[i] = shape[i];
    }
    return out;
  }

  private static void crcOf(Path file, CRC32C crc) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      while (ch.read(buf.clear()) > 0) {
        crc.update(buf.flip());
      }
    }
  }

  /** Flushes a directory's entries (and, for a checkpoint's, its files) to disk. */
  private void sync(Path directory) {
    try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not every file system lets a directory be opened for sync; the rename itself is atomic.
      LOG.debug("cannot fsync {}: {}", directory, e.getMessage());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Deletes every checkpoint in the directory that {@code referenced} (what the journal still
   * refers to) does not name, an older Verity's single files included; returns how many were
   * deleted.
   */
  public int prune(List<CheckpointRef> referenced) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    java.util.Set<Path> keep = new java.util.HashSet<>();
    for (CheckpointRef r : referenced) {
      keep.add(Path.of(r.path()).toAbsolutePath().normalize());
    }
    int deleted = 0;
    for (Path checkpoint : list("ckpt-[0-9]+(-e[0-9]+)?(\\.bin)?")) {
      if (!keep.contains(checkpoint.toAbsolutePath().normalize())) {
        deleteTree(checkpoint);
        deleted++;
      }
    }
    return deleted;
  }

  /**
   * Deletes the temporaries of writes that a crash interrupted; call before the first save. Returns
   * how many were deleted.
   */
  public int sweepTemporaries() throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int deleted = 0;
    for (Path temporary : list("\\.ckpt-.*")) {
      deleteTree(temporary);
      deleted++;
    }
    return deleted;
  }

  private List<Path> list(String nameRegex) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches(nameRegex))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }
}
