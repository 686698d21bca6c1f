package verity.policy.transformer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Writes a {@code .safetensors} file one tensor at a time: the header first (sizes follow from the
 * shapes), then each tensor's values fetched only when its turn comes, so a model is never held
 * whole in Java memory. The file appears under its name only once complete (written beside it, then
 * moved). Hand-written for the same reasons as {@link SafetensorsFile}.
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  /** How values are stored on disk. */
  public enum Dtype {
    F32(4),
    F16(2),
    BF16(2);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }
  }

  /** A tensor to write: its name, shape and, when asked for, its fp32 values in row-major order. */
  public record Tensor(String name, long[] shape, Supplier<float[]> values) {
    long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK_VALUES = 1 << 16;

  /**
   * Writes {@code tensors} in order, each stored as {@code dtype}, with {@code metadata} in the
   * header's {@code __metadata__} (Hugging Face expects {@code format = pt}).
   *
   * @throws IllegalStateException when a tensor's values do not match its shape
   */
  public static void write(
      Path file, List<Tensor> tensors, Dtype dtype, Map<String, String> metadata)
      throws IOException {
    write(file, tensors, dtype, metadata, new CRC32C());
  }

  /** As {@link #write(Path, List, Dtype, Map)}, adding every byte of the file to {@code crc}. */
  public static void write(
      Path file, List<Tensor> tensors, Dtype dtype, Map<String, String> metadata, CRC32C crc)
      throws IOException {
    byte[] header = header(tensors, dtype, metadata);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (FileChannel out =
        FileChannel.open(
            partial,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      length.putLong(header.length).flip();
      writeFully(out, length, crc);
      writeFully(out, ByteBuffer.wrap(header), crc);
      ByteBuffer chunk =
          ByteBuffer.allocateDirect(CHUNK_VALUES * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (Tensor t : tensors) {
        float[] values = t.values().get();
        if (values.length != t.elements()) {
          throw new IllegalStateException(
              "tensor " + t.name() + ": " + values.length + " values for " + t.elements());
        }
        for (int from = 0; from < values.length; from += CHUNK_VALUES) {
          chunk.clear();
          int to = Math.min(values.length, from + CHUNK_VALUES);
          for (int i = from; i < to; i++) {
            switch (dtype) {
              case F32 -> chunk.putFloat(values[i]);
              case BF16 -> chunk.putShort(HalfFloats.floatToBf16(values[i]));
              case F16 -> chunk.putShort(HalfFloats.floatToF16(values[i]));
            }
          }
          writeFully(out, chunk.flip(), crc);
        }
      }
      out.force(true);
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static byte[] header(List<Tensor> tensors, Dtype dtype, Map<String, String> metadata) {
    ObjectNode root = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Tensor t : tensors) {
      ObjectNode node = root.putObject(t.name());
      node.put("dtype", dtype.name());
      ArrayNode shape = node.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long end = offset + t.elements() * dtype.bytes;
      node.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] text = root.toString().getBytes(StandardCharsets.UTF_8);
    // The format recommends padding the header with spaces so the data starts 8-byte aligned.
    byte[] padded = java.util.Arrays.copyOf(text, (text.length + 7) / 8 * 8);
    java.util.Arrays.fill(padded, text.length, padded.length, (byte) ' ');
    return padded;
  }

  private static void writeFully(FileChannel out, ByteBuffer bytes, CRC32C crc) throws IOException {
    crc.update(bytes.duplicate());
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
  }
}
