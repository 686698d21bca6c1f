package verity.learner.checkpoint;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsChecksum;
import verity.actors.weights.WeightsHeader;
import verity.learner.optim.OptimizerState;

/**
 * Checkpoints on disk: one file per version ({@code ckpt-000000123-e1.bin}) holding the parameter
 * names and shapes, then each tensor's weights and optimizer moments, then the weights' checksum,
 * written one tensor at a time (from a {@link CheckpointSource}) and atomically (a temporary file,
 * fsync, rename, fsync of the directory) so that a crash leaves either the old file or the new one.
 * Each file's CRC32C is recorded in the journal; loading checks it and falls back to the previous
 * good checkpoint when a file is corrupt or truncated. A file is deleted only once the journal no
 * longer refers to it ({@link #prune}), and temporaries of a write that a crash interrupted are
 * swept at start ({@link #sweepTemporaries}). The format is Verity's own because the optimizer
 * state lives outside DJL.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final int MAGIC = 0x56434B33; // "VCK3": weights and moments tensor by tensor
  private static final int MAGIC_V2 = 0x56434B32; // "VCK2": moments as one flat array

  private final Path dir;

  public CheckpointStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /**
   * Writes a checkpoint atomically; returns what the journal should record. Nothing is deleted
   * here: the file the journal refers to now stays until the journal no longer refers to it.
   */
  public CheckpointRef save(CheckpointSource c) throws IOException {
    Files.createDirectories(dir);
    PolicyVersion version = c.version();
    Path target = dir.resolve(String.format("ckpt-%09d-e%d.bin", version.value(), version.epoch()));
    Path tmp = Files.createTempFile(dir, ".ckpt-", ".tmp");
    CRC32C crc = new CRC32C();
    try (OutputStream file = Files.newOutputStream(tmp);
        DataOutputStream out =
            new DataOutputStream(
                new java.io.BufferedOutputStream(new CheckedOutputStream(file, crc), 1 << 16))) {
      write(out, c);
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory();
    return new CheckpointRef(c.version(), target.toString(), crc.getValue());
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
    Path file = Path.of(ref.path());
    if (!Files.exists(file)) {
      throw new NoSuchFileException(ref.path());
    }
    CRC32C crc = new CRC32C();
    Checkpoint c;
    try (InputStream in = Files.newInputStream(file);
        CheckedInputStream checked = new CheckedInputStream(in, crc);
        DataInputStream data =
            new DataInputStream(new java.io.BufferedInputStream(checked, 1 << 16))) {
      c = read(data);
      if (data.read() != -1) {
        throw new CorruptCheckpointException(ref.path() + ": trailing bytes");
      }
    } catch (java.io.EOFException e) {
      throw new CorruptCheckpointException(ref.path() + ": truncated");
    }
    if (crc.getValue() != ref.checksum()) {
      throw new CorruptCheckpointException(
          ref.path()
              + ": checksum "
              + Long.toHexString(crc.getValue())
              + " but the journal recorded "
              + Long.toHexString(ref.checksum()));
    }
    if (!c.weights().version().equals(ref.version()) || !c.weights().checksumMatches()) {
      throw new CorruptCheckpointException(ref.path() + ": content does not match its header");
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
              .filter(f -> f.getFileName().toString().matches("ckpt-\\d+-e\\d+\\.bin"))
              .sorted(Comparator.comparing(CheckpointStore::epochThenVersion).reversed())
              .toList();
    }
    for (Path f : files) {
      try (DataInputStream data =
          new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
        FlatWeights w = read(data).weights();
        if (w.checksumMatches()) {
          return Optional.of(w);
        }
        LOG.error("checkpoint {} does not match its own checksum; trying the previous one", f);
      } catch (IOException | CorruptCheckpointException e) {
        LOG.error("checkpoint {} unusable ({}); trying the previous one", f, e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** {@code ckpt-000000123-e1.bin} as (1, 123), for ordering. */
  private static String epochThenVersion(Path file) {
    String name = file.getFileName().toString();
    String version = name.substring(5, name.indexOf("-e"));
    String epoch = name.substring(name.indexOf("-e") + 2, name.length() - 4);
    return String.format("%020d-%020d", Long.parseLong(epoch), Long.parseLong(version));
  }

  private static void write(DataOutputStream out, CheckpointSource c) throws IOException {
    out.writeInt(MAGIC);
    out.writeLong(c.version().epoch());
    out.writeLong(c.version().value());
    List<String> names = c.names();
    out.writeInt(names.size());
    for (int i = 0; i < names.size(); i++) {
      out.writeUTF(names.get(i));
      int[] shape = c.shapes().get(i);
      out.writeInt(shape.length);
      for (int d : shape) {
        out.writeInt(d);
      }
    }
    out.writeLong(c.optimizerSteps());
    CRC32C weights = new CRC32C();
    for (int i = 0; i < names.size(); i++) {
      CheckpointSource.TensorState t = c.tensor(i);
      long size = WeightsHeader.elements(c.shapes().get(i));
      if (t.weights().length != size || t.m().length != size || t.v().length != size) {
        throw new IllegalArgumentException(
            "tensor " + names.get(i) + " of " + size + " values: state of another size");
      }
      WeightsChecksum.update(weights, t.weights());
      writeFloats(out, t.weights());
      writeFloats(out, t.m());
      writeFloats(out, t.v());
    }
    out.writeLong(weights.getValue());
  }

  private static Checkpoint read(DataInputStream in) throws IOException {
    int magic = in.readInt();
    if (magic == MAGIC_V2) {
      throw new CorruptCheckpointException(
          "a checkpoint of an older Verity (flat optimizer moments); start the run afresh");
    }
    if (magic != MAGIC) {
      throw new CorruptCheckpointException("not a Verity checkpoint");
    }
    long epoch = in.readLong();
    PolicyVersion version = new PolicyVersion(epoch, in.readLong());
    int count = in.readInt();
    if (count < 0 || count > 100_000) {
      throw new CorruptCheckpointException("implausible parameter count " + count);
    }
    List<String> names = new ArrayList<>(count);
    List<int[]> shapes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(in.readUTF());
      int rank = in.readInt();
      if (rank < 0 || rank > 16) {
        throw new CorruptCheckpointException("implausible rank " + rank);
      }
      int[] shape = new int[rank];
      for (int d = 0; d < rank; d++) {
        shape[d] = in.readInt();
      }
      shapes.add(shape);
    }
    long steps = in.readLong();
    long total = 0;
    for (int[] shape : shapes) {
      total += WeightsHeader.elements(shape);
    }
    if (total < 0 || total > Integer.MAX_VALUE - 8) {
      throw new CorruptCheckpointException("implausible total of " + total + " values");
    }
    float[] values = new float[(int) total];
    List<float[]> m = new ArrayList<>(count);
    List<float[]> v = new ArrayList<>(count);
    int offset = 0;
    for (int i = 0; i < count; i++) {
      long size = WeightsHeader.elements(shapes.get(i));
      float[] w = readFloats(in);
      m.add(readFloats(in));
      v.add(readFloats(in));
      if (w.length != size || m.get(i).length != size || v.get(i).length != size) {
        throw new CorruptCheckpointException(
            "the state of " + names.get(i) + " does not match its shape");
      }
      System.arraycopy(w, 0, values, offset, w.length);
      offset += w.length;
    }
    long weightsChecksum = in.readLong();
    FlatWeights weights =
        new FlatWeights(
            new WeightsHeader(version, names, shapes, values.length, weightsChecksum), values);
    return new Checkpoint(weights, new OptimizerState(steps, m, v));
  }

  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    ByteBuffer buf =
        ByteBuffer.allocate(Math.min(values.length, 1 << 16) * Float.BYTES)
            .order(ByteOrder.BIG_ENDIAN);
    for (int from = 0; from < values.length; from += 1 << 16) {
      int n = Math.min(1 << 16, values.length - from);
      buf.clear();
      buf.asFloatBuffer().put(values, from, n);
      out.write(buf.array(), 0, n * Float.BYTES);
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 1 << 30) {
      throw new CorruptCheckpointException("implausible array length " + n);
    }
    float[] out = new float[n];
    byte[] bytes = new byte[Math.min(n, 1 << 16) * Float.BYTES];
    for (int from = 0; from < n; from += 1 << 16) {
      int k = Math.min(1 << 16, n - from);
      in.readFully(bytes, 0, k * Float.BYTES);
      ByteBuffer.wrap(bytes, 0, k * Float.BYTES).asFloatBuffer().get(out, from, k);
    }
    return out;
  }

  private void syncDirectory() {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not every file system lets a directory be opened for sync; the rename itself is atomic.
      LOG.debug("cannot fsync {}: {}", dir, e.getMessage());
    }
  }

  /**
   * Deletes every checkpoint file in the directory that {@code referenced} (what the journal still
   * refers to) does not name; returns how many were deleted.
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
    for (Path file : list("ckpt-[0-9]+(-e[0-9]+)?\\.bin")) {
      if (!keep.contains(file.toAbsolutePath().normalize()) && Files.deleteIfExists(file)) {
        deleted++;
      }
    }
    return deleted;
  }

  /**
   * Deletes the temporary files of writes that a crash interrupted; call before the first save.
   * Returns how many were deleted.
   */
  public int sweepTemporaries() throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int deleted = 0;
    for (Path file : list("\\.ckpt-.*\\.tmp")) {
      if (Files.deleteIfExists(file)) {
        deleted++;
      }
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
