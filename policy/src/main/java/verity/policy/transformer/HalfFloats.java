package verity.policy.transformer;

/**
 * Conversions between fp32 and the two 16-bit float formats checkpoints are stored in: bfloat16
 * (fp32's upper half) and IEEE half precision. Hand-written because Java 17 has neither, and
 * because DJL's PyTorch engine aborts the JVM when it creates a BF16 tensor (see {@code
 * lm-notes.md}): 16-bit values are widened here and only fp32 reaches the engine.
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** The fp32 value of a bfloat16 (exact: bfloat16 is fp32 with the low 16 mantissa bits cut). */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** The nearest bfloat16, ties to even; NaN stays NaN (quiet), infinities stay infinite. */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  /** The fp32 value of an IEEE half (exact: every half is an fp32). */
  public static float f16ToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0) {
      // Zero or subnormal: mantissa × 2^-24, exact in fp32.
      float magnitude = mantissa * 0x1p-24f;
      return sign != 0 ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /**
   * The nearest IEEE half, ties to even: values beyond its range become infinite, values below half
   * its smallest subnormal become zero.
   */
  public static short floatToF16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exponent == 0xff) {
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
    }
    int halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (halfExponent <= 0) {
      if (halfExponent < -10) {
        return (short) sign;
      }
      // Subnormal half: the full significand (implicit bit included) shifted into 10 bits.
      return (short) (sign | roundShift(mantissa | 0x800000, 14 - halfExponent));
    }
    // A carry out of the mantissa bumps the exponent, which is what rounding up means there.
    return (short) (sign | roundShift((halfExponent << 23) | mantissa, 13));
  }

  private static int roundShift(int value, int shift) {
    int kept = value >>> shift;
    int rest = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (rest > half || (rest == half && (kept & 1) == 1)) {
      kept++;
    }
    return kept;
  }
}
