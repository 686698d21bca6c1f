package verity.actors.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.typed.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Golden bytes of persisted records (journal events and snapshots): each record type has a sample
 * whose serialized bytes are kept in the test resources ({@code golden/<class>.hex}) as they were
 * when the type was released. A test fails when the bytes a sample serializes to change (a field
 * added, removed or reordered, a registration id moved), when the kept bytes no longer read back as
 * the sample, and when a persisted type has no sample, so that a journal written by an earlier
 * release keeps replaying (see {@link verity.actors.cluster.JournalFailureLog} for the rule).
 *
 * <p>A NEW record type gets its bytes written by running the test with {@code
 * -Dverity.golden.write=<module's test resources dir>}; existing files are never rewritten.
 */
public final class GoldenBytes {
  private GoldenBytes() {}

  /** The property that names the resources directory new golden files are written to. */
  public static final String WRITE = "verity.golden.write";

  /**
   * Checks every sample against its kept bytes, and that the samples cover every permitted subclass
   * of each sealed persisted type in {@code persisted}.
   */
  public static void check(
      ActorSystem<?> system, List<Class<?>> persisted, List<Object> samples, Class<?> anchor)
      throws IOException {
    Set<String> sampled =
        samples.stream().map(s -> s.getClass().getName()).collect(Collectors.toSet());
    Set<String> missing = new TreeSet<>();
    for (Class<?> type : persisted) {
      Class<?>[] subclasses =
          type.isSealed() ? type.getPermittedSubclasses() : new Class<?>[] {type};
      for (Class<?> c : subclasses) {
        if (!sampled.contains(c.getName())) {
          missing.add(c.getName());
        }
      }
    }
    assertTrue(missing.isEmpty(), "persisted types without a golden sample: " + missing);
    Serialization serialization = SerializationExtension.get(system);
    for (Object sample : samples) {
      Serializer serializer = serialization.findSerializerFor(sample);
      assertEquals(
          KryoSerializer.IDENTIFIER,
          serializer.identifier(),
          sample.getClass().getName() + " is not written by Verity's Kryo serializer");
      byte[] now = serializer.toBinary(sample);
      String name = "golden/" + sample.getClass().getName() + ".hex";
      byte[] kept = read(anchor, name);
      if (kept == null) {
        write(name, now);
        continue;
      }
      assertArrayEquals(
          kept,
          now,
          sample.getClass().getName()
              + " serializes differently from its released bytes: a persisted record must not"
              + " change; add a new record type instead (see JournalFailureLog)");
      Object back = serializer.fromBinary(kept, sample.getClass());
      assertTrue(
          SerializationRoundTrip.deepEquals(sample, back),
          "the released bytes of " + sample.getClass().getName() + " read back as " + back);
    }
  }

  private static byte[] read(Class<?> anchor, String name) throws IOException {
    try (InputStream in = anchor.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        return null;
      }
      String hex = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }
  }

  private static void write(String name, byte[] bytes) throws IOException {
    String dir = System.getProperty(WRITE);
    if (dir == null || dir.isBlank()) {
      fail(
          "no golden bytes for "
              + name
              + "; a new persisted type gets them by running this test with -D"
              + WRITE
              + "=<the module's src/test/resources>");
    }
    Path file = Path.of(dir).resolve(name);
    if (Files.exists(file)) {
      fail(file + " exists but is not on the test class path; rebuild before writing");
    }
    Files.createDirectories(file.getParent());
    String hex = HexFormat.of().formatHex(bytes);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < hex.length(); i += 64) {
      lines.append(hex, i, Math.min(hex.length(), i + 64)).append('\n');
    }
    Files.writeString(file, lines);
  }
}
