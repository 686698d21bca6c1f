package verity.policy.transformer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code .safetensors} file, read per tensor: the header is parsed and checked when the file is
 * opened, and a tensor's bytes are memory-mapped only when it is read, so a checkpoint is never
 * held whole in Java memory (DJL's own decoder reads a file into one {@code byte[]}, which caps it
 * at 2 GiB, and aborts the JVM on BF16; see {@code lm-notes.md}). F32, F16 and BF16 tensors are
 * returned as fp32.
 */
public final class SafetensorsFile {
  /** A header larger than this is taken as corruption rather than read into memory. */
  static final long MAX_HEADER_BYTES = 100L << 20;

  /** The most bytes one memory mapping covers while a tensor is read. */
  static final long MAX_WINDOW_BYTES = 1L << 30;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One tensor as the header describes it; offsets are relative to the data section. */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  private final Path file;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
    this.file = file;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
  }

  /**
   * Opens a file and checks its header: every tensor's dtype size times its element count equals
   * its byte range, and every range lies inside the data section without overlapping another.
   *
   * @throws CheckpointException naming the file and what is wrong with it
   */
  public static SafetensorsFile open(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < 8) {
        throw new CheckpointException(file, "not a safetensors file: " + size + " bytes");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.flip().getLong();
      if (headerLength <= 0 || headerLength > Math.min(size - 8, MAX_HEADER_BYTES)) {
        throw new CheckpointException(
            file,
            "corrupt safetensors header: its length field says "
                + headerLength
                + " bytes, the file has "
                + size);
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readFully(channel, header, 8);
      String text = new String(header.array(), StandardCharsets.UTF_8);
      long dataStart = 8 + headerLength;
      return parse(file, text, size - dataStart, dataStart);
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  private static SafetensorsFile parse(Path file, String text, long dataSize, long dataStart) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(
          file, "corrupt safetensors header: not JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file, "corrupt safetensors header: not a JSON object");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("__metadata__")) {
        field
            .getValue()
            .fields()
            .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      Entry entry = entry(file, field.getKey(), field.getValue(), dataSize);
      entries.put(entry.name(), entry);
    }
    List<Entry> byOffset = new ArrayList<>(entries.values());
    byOffset.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < byOffset.size(); i++) {
      if (byOffset.get(i).begin() < byOffset.get(i - 1).end()) {
        throw new CheckpointException(
            file,
            "corrupt safetensors header: tensors "
                + byOffset.get(i - 1).name()
                + " and "
                + byOffset.get(i).name()
                + " overlap");
      }
    }
    return new SafetensorsFile(
        file,
        dataStart,
        Collections.unmodifiableMap(entries),
        Collections.unmodifiableMap(metadata));
  }

  private static Entry entry(Path file, String name, JsonNode node, long dataSize) {
    JsonNode dtype = node.get("dtype");
    JsonNode shape = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtype == null
        || !dtype.isTextual()
        || shape == null
        || !shape.isArray()
        || offsets == null
        || !offsets.isArray()
        || offsets.size() != 2) {
      throw new CheckpointException(
          file,
          "corrupt safetensors header: tensor " + name + " lacks dtype, shape or data_offsets");
    }
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      if (!shape.get(i).canConvertToLong() || shape.get(i).asLong() < 0) {
        throw new CheckpointException(
            file, "corrupt safetensors header: tensor " + name + " has shape " + shape);
      }
      dims[i] = shape.get(i).asLong();
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || end > dataSize) {
      throw new CheckpointException(
          file,
          "corrupt safetensors header: tensor "
              + name
              + " has data_offsets "
              + offsets
              + " outside the "
              + dataSize
              + " data bytes");
    }
    Entry entry = new Entry(name, dtype.asText(), dims, begin, end);
    int width = dtypeBytes(dtype.asText());
    if (width > 0 && entry.elements() * width != end - begin) {
      throw new CheckpointException(
          file,
          "corrupt safetensors header: tensor "
              + name
              + " is "
              + dtype.asText()
              + " of shape "
              + shape
              + " but spans "
              + (end - begin)
              + " bytes");
    }
    return entry;
  }

  /** Bytes per value of a safetensors dtype, or 0 for one Verity does not know. */
  static int dtypeBytes(String dtype) {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
      default -> 0;
    };
  }

  public Path file() {
    return file;
  }

  /** Every tensor in the file, in header order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * A tensor's values as fp32, in row-major order.
   *
   * @throws CheckpointException when the file has no such tensor, its dtype is not F32, F16 or
   *     BF16, or it holds more values than one Java array can
   */
  public float[] readFloats(String name) {
    Entry entry = entries.get(name);
    if (entry == null) {
      throw new CheckpointException(file, "no tensor named " + name);
    }
    long count = entry.elements();
    if (count > Integer.MAX_VALUE - 8) {
      throw new CheckpointException(
          file, "tensor " + name + " has " + count + " values, more than one read can hold");
    }
    float[] out = new float[(int) count];
    if (count == 0) {
      return out;
    }
    int width = dtypeBytes(entry.dtype());
    if (!entry.dtype().equals("F32")
        && !entry.dtype().equals("F16")
        && !entry.dtype().equals("BF16")) {
      throw new CheckpointException(
          file, "tensor " + name + " is " + entry.dtype() + "; Verity reads F32, F16 and BF16");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      // One mapping holds at most 2 GiB: a large tensor is read through windows of whole values.
      long windowValues = MAX_WINDOW_BYTES / width;
      for (long from = 0; from < count; from += windowValues) {
        int values = (int) Math.min(windowValues, count - from);
        MappedByteBuffer mapped =
            channel.map(
                FileChannel.MapMode.READ_ONLY,
                dataStart + entry.begin() + from * width,
                (long) values * width);
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        int offset = (int) from;
        switch (entry.dtype()) {
          case "F32" -> mapped.asFloatBuffer().get(out, offset, values);
          case "BF16" -> {
            for (int i = 0; i < values; i++) {
              out[offset + i] = HalfFloats.bf16ToFloat(mapped.getShort());
            }
          }
          default -> {
            for (int i = 0; i < values; i++) {
              out[offset + i] = HalfFloats.f16ToFloat(mapped.getShort());
            }
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read tensor " + name + ": " + e.getMessage(), e);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long position)
      throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int n = channel.read(into, at);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + at);
      }
      at += n;
    }
  }
}
