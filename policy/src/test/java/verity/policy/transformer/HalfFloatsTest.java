package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {

  @Test
  void shouldDecodeKnownHalfPrecisionBitPatterns() {
    assertEquals(1.0f, HalfFloats.f16ToFloat((short) 0x3c00));
    assertEquals(-2.0f, HalfFloats.f16ToFloat((short) 0xc000));
    assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7bff));
    assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
    assertEquals(0x1p-14f, HalfFloats.f16ToFloat((short) 0x0400));
    assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat((short) 0x7c00));
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat((short) 0x7e00)));
    assertEquals(-0.0f, HalfFloats.f16ToFloat((short) 0x8000));
  }

  @Test
  void shouldRoundTripEveryHalfPrecisionValue() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float value = HalfFloats.f16ToFloat((short) bits);
      if (!Float.isNaN(value)) {
        assertEquals(
            bits, HalfFloats.floatToF16(value) & 0xffff, "half 0x" + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void shouldRoundToTheNearestHalfWithTiesToEven() {
    // 1 + 2^-11 lies halfway between 1 and the next half, 1 + 2^-10: ties go to the even one, 1.
    assertEquals(0x3c00, HalfFloats.floatToF16(1f + 0x1p-11f) & 0xffff);
    assertEquals(0x3c02, HalfFloats.floatToF16(1f + 3 * 0x1p-11f) & 0xffff);
    assertEquals(0x3c01, HalfFloats.floatToF16(1f + 0x1p-11f + 0x1p-20f) & 0xffff);
    assertEquals(0x7c00, HalfFloats.floatToF16(70000f) & 0xffff);
    assertEquals(0x0000, HalfFloats.floatToF16(0x1p-26f) & 0xffff);
    assertEquals(0x0001, HalfFloats.floatToF16(0x1p-24f * 0.75f) & 0xffff);
  }

  @Test
  void shouldRoundToTheNearestBfloat16() {
    assertEquals(0x3f80, HalfFloats.floatToBf16(1f) & 0xffff);
    assertEquals(0x3f80, HalfFloats.floatToBf16(1f + 0x1p-8f) & 0xffff); // tie, to even
    assertEquals(0x3f82, HalfFloats.floatToBf16(1f + 3 * 0x1p-8f) & 0xffff); // tie, to even
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))));
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 100_000; i++) {
      float x = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-20, 20)));
      short rounded = HalfFloats.floatToBf16(x);
      float back = HalfFloats.bf16ToFloat(rounded);
      float below = HalfFloats.bf16ToFloat((short) (rounded - 1));
      float above = HalfFloats.bf16ToFloat((short) (rounded + 1));
      assertTrue(Math.abs(back - x) <= Math.abs(below - x), "" + x);
      assertTrue(Math.abs(back - x) <= Math.abs(above - x), "" + x);
    }
  }
}
