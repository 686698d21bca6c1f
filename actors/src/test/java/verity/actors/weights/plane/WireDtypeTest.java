package verity.actors.weights.plane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class WireDtypeTest {

  @Test
  void shouldRoundToTheNearestBfloat16WithTiesToEven() {
    assertEquals(1.0f, WireDtype.BFLOAT16.round(1.0f));
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa, 1.
    assertEquals(1.0f, WireDtype.BFLOAT16.round(1.0f + 0x1p-8f));
    // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: the even one is 1 + 2^-6.
    assertEquals(1.0f + 0x1p-6f, WireDtype.BFLOAT16.round(1.0f + 3 * 0x1p-8f));
    // Just above the halfway point rounds up.
    assertEquals(1.0f + 0x1p-7f, WireDtype.BFLOAT16.round(1.0f + 0x1p-8f + 0x1p-20f));
    assertEquals(-2.5f, WireDtype.BFLOAT16.round(-2.5f));
    assertTrue(Float.isNaN(WireDtype.BFLOAT16.round(Float.NaN)));
    assertEquals(Float.POSITIVE_INFINITY, WireDtype.BFLOAT16.round(Float.POSITIVE_INFINITY));
  }

  @Test
  void shouldDecodeWhatItEncodes() {
    float[] values = {0.1f, -3.75f, 1e-20f, 65504f, 0f};
    for (WireDtype dtype : WireDtype.values()) {
      ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes());
      dtype.encode(values, 0, values.length, b);
      assertEquals(b.capacity(), b.position());
      b.flip();
      float[] back = new float[values.length];
      dtype.decode(b, back, 0, values.length);
      float[] expected = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        expected[i] = dtype.round(values[i]);
      }
      assertArrayEquals(expected, back, dtype.name());
    }
  }

  @Test
  void shouldNameTheKeyOfAnUnknownDtype() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WireDtype.parse("fp8", "verity.weights.wire-dtype"));
    assertTrue(e.getMessage().contains("verity.weights.wire-dtype"), e.getMessage());
  }
}
