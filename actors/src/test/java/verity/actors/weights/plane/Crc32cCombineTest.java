package verity.actors.weights.plane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class Crc32cCombineTest {

  static long crc(byte[] b, int from, int to) {
    CRC32C c = new CRC32C();
    c.update(b, from, to - from);
    return c.getValue();
  }

  @Test
  void shouldEqualTheChecksumOfTheJoinedBytes() {
    SplittableRandom random = new SplittableRandom(7);
    byte[] bytes = new byte[300_001];
    random.nextBytes(bytes);
    int[] cuts = {0, 1, 3, 4096, 65_537, 262_144, 300_000, 300_001};
    for (int cut : cuts) {
      assertEquals(
          crc(bytes, 0, bytes.length),
          Crc32cCombine.combine(
              crc(bytes, 0, cut), crc(bytes, cut, bytes.length), bytes.length - cut),
          "cut at " + cut);
    }
  }

  @Test
  void shouldFoldManyChunksInOrder() {
    SplittableRandom random = new SplittableRandom(11);
    byte[] bytes = new byte[1 << 20];
    random.nextBytes(bytes);
    long running = crc(bytes, 0, 0);
    for (int from = 0; from < bytes.length; from += 40_000) {
      int to = Math.min(bytes.length, from + 40_000);
      running = Crc32cCombine.combine(running, crc(bytes, from, to), to - from);
    }
    assertEquals(crc(bytes, 0, bytes.length), running);
  }
}
