package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  private static final float[] VALUES = {0f, 1f, -2.5f, 0.375f, 1024f, -0.0078125f};

  @Test
  void shouldReadBackWhatItWroteInEachDtype() throws IOException {
    for (SafetensorsWriter.Dtype dtype : SafetensorsWriter.Dtype.values()) {
      Path file = dir.resolve(dtype + ".safetensors");
      SafetensorsWriter.write(
          file,
          List.of(
              new SafetensorsWriter.Tensor("a.weight", new long[] {2, 3}, () -> VALUES),
              new SafetensorsWriter.Tensor("b", new long[] {1}, () -> new float[] {7f})),
          dtype,
          Map.of("format", "pt"));
      SafetensorsFile read = SafetensorsFile.open(file);
      assertEquals(dtype.name(), read.entries().get("a.weight").dtype());
      assertArrayEquals(new long[] {2, 3}, read.entries().get("a.weight").shape());
      assertArrayEquals(VALUES, read.readFloats("a.weight"));
      assertArrayEquals(new float[] {7f}, read.readFloats("b"));
      assertEquals("pt", read.metadata().get("format"));
      long headerLength =
          ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, headerLength % 8, "data section 8-byte aligned");
    }
  }

  @Test
  void shouldStoreBfloat16AsTheUpperHalfOfEachFloat() throws IOException {
    Path file = dir.resolve("bf16.safetensors");
    SafetensorsWriter.write(
        file,
        List.of(new SafetensorsWriter.Tensor("x", new long[] {2}, () -> new float[] {1f, -2f})),
        SafetensorsWriter.Dtype.BF16,
        Map.of());
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer data = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x3f80, data.getShort() & 0xffff);
    assertEquals(0xc000, data.getShort() & 0xffff);
  }

  @Test
  void shouldRefuseAHeaderLengthBeyondTheFile() throws IOException {
    Path file = raw("{}", 1_000_000, new byte[0]);
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("its length field says 1000000 bytes"), e.getMessage());
  }

  @Test
  void shouldRefuseAHeaderThatIsNotJson() throws IOException {
    Path file = raw("{\"a\": [", -1, new byte[0]);
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
  }

  @Test
  void shouldRefuseOffsetsOutsideTheData() throws IOException {
    Path file =
        raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", -1, new byte[8]);
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
    assertTrue(
        e.getMessage().contains("tensor w has data_offsets [0,16] outside the 8 data bytes"),
        e.getMessage());
  }

  @Test
  void shouldRefuseAByteRangeThatDoesNotMatchTheShape() throws IOException {
    Path file =
        raw("{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}", -1, new byte[8]);
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
    assertTrue(
        e.getMessage().contains("tensor w is BF16 of shape [3] but spans 8 bytes"), e.getMessage());
  }

  @Test
  void shouldRefuseOverlappingTensors() throws IOException {
    Path file =
        raw(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            -1,
            new byte[12]);
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains("tensors a and b overlap"), e.getMessage());
  }

  @Test
  void shouldRefuseToReadADtypeItDoesNotConvert() throws IOException {
    Path file =
        raw("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", -1, new byte[8]);
    SafetensorsFile read = SafetensorsFile.open(file);
    CheckpointException e = assertThrows(CheckpointException.class, () -> read.readFloats("ids"));
    assertTrue(
        e.getMessage().contains("tensor ids is I64; Verity reads F32, F16 and BF16"),
        e.getMessage());
  }

  /** A file with this header text, a length field (-1: the header's true length) and data. */
  private Path raw(String header, long lengthField, byte[] data) throws IOException {
    byte[] text = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out =
        ByteBuffer.allocate(8 + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(lengthField < 0 ? text.length : lengthField).put(text).put(data);
    Path file = Files.createTempFile(dir, "raw", ".safetensors");
    Files.write(file, out.array());
    return file;
  }
}
