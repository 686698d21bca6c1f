package verity.actors.weights.plane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkDeltaTest {
  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian() * 0.05f;
    }
    return v;
  }

  @Test
  void shouldCarryTheChangedFloat32ValuesExactlyInFewBytes() {
    float[] base = random(1000, 1);
    float[] now = base.clone();
    int[] changed = {0, 1, 130, 131, 700, 999};
    for (int i : changed) {
      now[i] += 1e-3f;
    }
    byte[] payload = ChunkDelta.encode(now, base, 0, 1000, WireDtype.FLOAT32);
    assertNotNull(payload);
    // 8 header bytes, one or two bytes per position gap, 4 per value.
    assertTrue(payload.length <= 8 + 2 * changed.length + 4 * changed.length, "" + payload.length);
    float[] held = base.clone();
    ChunkDelta.apply(ByteBuffer.wrap(payload), held, 0, 1000, WireDtype.FLOAT32);
    assertArrayEquals(now, held);
  }

  @Test
  void shouldApplyWithinAChunkOfALargerArray() {
    float[] base = random(300, 2);
    float[] now = base.clone();
    now[105] = 7f;
    now[199] = -7f;
    now[200] = 9f; // outside the chunk [100, 200): not sent, not applied
    byte[] payload = ChunkDelta.encode(now, base, 100, 100, WireDtype.FLOAT32);
    float[] held = base.clone();
    ChunkDelta.apply(ByteBuffer.wrap(payload), held, 100, 100, WireDtype.FLOAT32);
    assertEquals(7f, held[105]);
    assertEquals(-7f, held[199]);
    assertEquals(base[200], held[200]);
  }

  @Test
  void shouldLeaveAFollowerOnBfloat16WithTheRoundedNewValues() {
    float[] base = random(4096, 3);
    float[] now = base.clone();
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < now.length; i++) {
      now[i] *= 1 + (float) r.nextGaussian() * 1e-4f; // mostly below bfloat16's resolution
    }
    byte[] payload = ChunkDelta.encode(now, base, 0, now.length, WireDtype.BFLOAT16);
    assertNotNull(payload, "most values keep their bfloat16 bits");
    float[] held = new float[base.length];
    for (int i = 0; i < held.length; i++) {
      held[i] = WireDtype.BFLOAT16.round(base[i]); // what a bfloat16 follower holds
    }
    ChunkDelta.apply(ByteBuffer.wrap(payload), held, 0, held.length, WireDtype.BFLOAT16);
    for (int i = 0; i < held.length; i++) {
      assertEquals(WireDtype.BFLOAT16.round(now[i]), held[i], "value " + i);
    }
    assertTrue(
        payload.length < now.length * 2 / 4, "under a quarter of the chunk: " + payload.length);
  }

  @Test
  void shouldDeclineWhenTheDifferenceIsNotSmaller() {
    float[] base = random(100, 5);
    float[] now = random(100, 6);
    assertNull(ChunkDelta.encode(now, base, 0, 100, WireDtype.FLOAT32));
  }

  @Test
  void shouldSendNothingButTheCountWhenNothingChanged() {
    float[] base = random(100, 7);
    byte[] payload = ChunkDelta.encode(base.clone(), base, 0, 100, WireDtype.FLOAT32);
    assertEquals(8, payload.length);
    float[] held = base.clone();
    ChunkDelta.apply(ByteBuffer.wrap(payload), held, 0, 100, WireDtype.FLOAT32);
    assertArrayEquals(base, held);
  }

  static ByteBuffer payload(int count, byte[] gaps, int values) {
    ByteBuffer b = ByteBuffer.allocate(8 + gaps.length + 4 * values).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(count).putInt(gaps.length).put(gaps);
    return b.position(0);
  }

  @Test
  void shouldRefuseADifferenceThatDoesNotDescribeTheChunk() {
    float[] held = new float[10];
    // more values than the chunk has
    assertThrows(
        PlaneFrames.PlaneProtocolException.class,
        () -> ChunkDelta.apply(payload(11, new byte[11], 11), held, 0, 10, WireDtype.FLOAT32));
    // a position past the chunk's end
    assertThrows(
        PlaneFrames.PlaneProtocolException.class,
        () -> ChunkDelta.apply(payload(1, new byte[] {11}, 1), held, 0, 10, WireDtype.FLOAT32));
    // a gap of 0: a position named twice
    assertThrows(
        PlaneFrames.PlaneProtocolException.class,
        () -> ChunkDelta.apply(payload(2, new byte[] {1, 0}, 2), held, 0, 10, WireDtype.FLOAT32));
    // a varint that never ends within its list
    assertThrows(
        PlaneFrames.PlaneProtocolException.class,
        () ->
            ChunkDelta.apply(
                payload(1, new byte[] {(byte) 0x81}, 1), held, 0, 10, WireDtype.FLOAT32));
    // fewer bytes than its counts say
    assertThrows(
        PlaneFrames.PlaneProtocolException.class,
        () -> ChunkDelta.apply(payload(2, new byte[] {1, 1}, 1), held, 0, 10, WireDtype.FLOAT32));
    assertThrows(
        PlaneFrames.PlaneProtocolException.class,
        () -> ChunkDelta.apply(ByteBuffer.allocate(3), held, 0, 10, WireDtype.FLOAT32));
    assertArrayEquals(new float[10], held, "nothing applied from a refused difference");
  }
}
