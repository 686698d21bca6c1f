package verity.actors.weights.plane;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CRC32C of two byte runs joined, from the CRC32C of each and the second's length, as zlib's
 * {@code crc32_combine} does for CRC-32 (the same GF(2) matrix method, with the Castagnoli
 * polynomial). The JDK's {@link java.util.zip.CRC32C} has no combine; with it a follower checks the
 * whole version from the chunks' own checksums instead of a second pass over every byte.
 */
final class Crc32cCombine {
  /** CRC-32C's polynomial, bit-reflected. */
  private static final long POLYNOMIAL = 0x82F63B78L;

  private Crc32cCombine() {}

  /**
   * The operator that appends a run of so many zero bytes to a CRC, by the run's length: chunks of
   * a version are mostly one length, so it is built once (32 combines) and applied as one 32-term
   * product per chunk instead of some 20 matrix squarings.
   */
  private static final Map<Long, long[]> ZEROS_OPERATORS = new ConcurrentHashMap<>();

  /** Lengths whose operators are kept; past it the cache starts again. */
  private static final int KEPT_LENGTHS = 64;

  /** The CRC32C of {@code a || b}, given CRC32C(a), CRC32C(b) and b's length in bytes. */
  static long combine(long crcA, long crcB, long lengthB) {
    if (lengthB <= 0) {
      return crcA;
    }
    long[] operator = ZEROS_OPERATORS.get(lengthB);
    if (operator == null) {
      operator = new long[32];
      for (int bit = 0; bit < 32; bit++) {
        operator[bit] = appendZeros(1L << bit, lengthB);
      }
      if (ZEROS_OPERATORS.size() >= KEPT_LENGTHS) {
        ZEROS_OPERATORS.clear();
      }
      ZEROS_OPERATORS.put(lengthB, operator);
    }
    return (times(operator, crcA) ^ crcB) & 0xFFFFFFFFL;
  }

  /** {@code crc} carried over {@code length} zero bytes (zlib's method; linear in {@code crc}). */
  private static long appendZeros(long crc, long length) {
    long[] even = new long[32];
    long[] odd = new long[32];
    odd[0] = POLYNOMIAL; // the operator for one zero bit
    long row = 1;
    for (int n = 1; n < 32; n++) {
      odd[n] = row;
      row <<= 1;
    }
    square(even, odd); // two zero bits
    square(odd, even); // four zero bits
    do {
      // Apply the operator for 8 << k zero bits for each set bit k of the length in bytes.
      square(even, odd);
      if ((length & 1) != 0) {
        crc = times(even, crc);
      }
      length >>= 1;
      if (length == 0) {
        break;
      }
      square(odd, even);
      if ((length & 1) != 0) {
        crc = times(odd, crc);
      }
      length >>= 1;
    } while (length != 0);
    return crc;
  }

  private static long times(long[] matrix, long vector) {
    long sum = 0;
    for (int i = 0; vector != 0; i++, vector >>>= 1) {
      if ((vector & 1) != 0) {
        sum ^= matrix[i];
      }
    }
    return sum;
  }

  private static void square(long[] square, long[] matrix) {
    for (int n = 0; n < 32; n++) {
      square[n] = times(matrix, matrix[n]);
    }
  }
}
