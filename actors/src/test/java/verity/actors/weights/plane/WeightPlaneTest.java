package verity.actors.weights.plane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.util.ByteString;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;

/** The weight plane over real loopback TCP: a store's server, followers, relays, broken peers. */
class WeightPlaneTest {
  static final ActorTestKit testKit = ActorTestKit.create("plane");
  static final int CHUNK = 7;
  static final WeightFetch.Settings ONCE =
      new WeightFetch.Settings(Duration.ofSeconds(2), Duration.ofSeconds(3), 1);
  static final WeightFetch.Settings TWICE =
      new WeightFetch.Settings(Duration.ofSeconds(2), Duration.ofSeconds(3), 2);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Three tensors of 20, 6 and 13 values: 3 + 1 + 2 chunks of at most 7. */
  static FlatWeights weights(long version) {
    float[] v = new float[39];
    for (int i = 0; i < v.length; i++) {
      v[i] = version * 100 + i * 0.37f;
    }
    return FlatWeights.of(
        PolicyVersion.of(version),
        List.of("a", "b", "c"),
        List.of(new int[] {4, 5}, new int[] {6}, new int[] {13}),
        v);
  }

  static WeightServer serve(ServedVersions versions) throws Exception {
    return WeightServer.bind(testKit.system(), "127.0.0.1", "127.0.0.1", 0, versions)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  static WeightServer store(FlatWeights w) throws Exception {
    ServedVersions versions = new ServedVersions();
    versions.offer(ServedVersion.complete(w, CHUNK, WireDtype.FLOAT32));
    return serve(versions);
  }

  static long frameBytes(ServedVersion v, int from) {
    long n = 0;
    for (int i = from; i < v.layout().count(); i++) {
      n += PlaneFrames.chunk(v, i).size();
    }
    return n;
  }

  static FlatWeights get(CompletionStage<FlatWeights> f) throws Exception {
    return f.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void shouldStreamAVersionTensorByTensorAndVerifyTheWhole() throws Exception {
    FlatWeights w = weights(1);
    WeightServer store = store(w);
    PartialVersion target = new PartialVersion(w.header(), CHUNK, WireDtype.FLOAT32);
    FlatWeights got =
        get(WeightFetch.run(testKit.system(), target, store.address(), store.address(), ONCE));
    assertArrayEquals(w.values().flatten(), got.values().flatten());
    assertEquals(w.header(), got.header());
    assertEquals(6, target.received());
    assertEquals(
        frameBytes(ServedVersion.complete(w, CHUNK, WireDtype.FLOAT32), 0), store.bytesSent());
  }

  @Test
  void shouldResumeAtTheFirstMissingChunk() throws Exception {
    FlatWeights w = weights(2);
    WeightServer store = store(w);
    ServedVersion source = ServedVersion.complete(w, CHUNK, WireDtype.FLOAT32);
    PartialVersion target = new PartialVersion(w.header(), CHUNK, WireDtype.FLOAT32);
    for (int i = 0; i < 4; i++) {
      target.accept(PlaneFrames.chunk(source, i)); // what an earlier, broken stream delivered
    }
    FlatWeights got =
        get(WeightFetch.run(testKit.system(), target, store.address(), store.address(), ONCE));
    assertArrayEquals(w.values().flatten(), got.values().flatten());
    assertEquals(frameBytes(source, 4), store.bytesSent(), "only chunks 4 and 5 were sent");
  }

  @Test
  void shouldResumeFromTheStoreAtTheChunkAnUpstreamCorrupted() throws Exception {
    FlatWeights w = weights(3);
    WeightServer store = store(w);
    ServedVersion source = ServedVersion.complete(w, CHUNK, WireDtype.FLOAT32);
    ByteString good = PlaneFrames.chunk(source, 0);
    byte[] bad = PlaneFrames.chunk(source, 1).toArray();
    bad[bad.length - 1] ^= 0x10; // one flipped bit in the payload
    try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture.runAsync(
          () -> {
            try (Socket s = upstream.accept()) {
              new DataInputStream(s.getInputStream()).readFully(new byte[PlaneFrames.MAX_REQUEST]);
              OutputStream out = s.getOutputStream();
              out.write(good.toArray());
              out.write(bad);
              out.flush();
              s.getInputStream().read(); // hold the connection until the follower drops it
            } catch (Exception e) {
              // the follower closing the connection ends this peer
            }
          });
      PartialVersion target = new PartialVersion(w.header(), CHUNK, WireDtype.FLOAT32);
      FlatWeights got =
          get(
              WeightFetch.run(
                  testKit.system(),
                  target,
                  new PlaneAddress("127.0.0.1", upstream.getLocalPort()),
                  store.address(),
                  TWICE));
      assertArrayEquals(w.values().flatten(), got.values().flatten());
      assertEquals(frameBytes(source, 1), store.bytesSent(), "the store resumed at chunk 1");
    }
  }

  @Test
  void shouldRelayChunksAsTheyArriveSoTheStoreSendsOneCopy() throws Exception {
    FlatWeights w = weights(4);
    WeightServer store = store(w);
    ServedVersions relayed = new ServedVersions();
    WeightServer relay = serve(relayed);
    PartialVersion middle = new PartialVersion(w.header(), CHUNK, WireDtype.FLOAT32);
    PartialVersion last = new PartialVersion(w.header(), CHUNK, WireDtype.FLOAT32);
    // The last replica asks the relay before the relay itself has begun: it waits for it.
    CompletionStage<FlatWeights> lastDone =
        WeightFetch.run(testKit.system(), last, relay.address(), store.address(), ONCE);
    relayed.offer(middle);
    FlatWeights viaStore =
        get(WeightFetch.run(testKit.system(), middle, store.address(), store.address(), ONCE));
    FlatWeights viaRelay = get(lastDone);
    assertArrayEquals(w.values().flatten(), viaStore.values().flatten());
    assertArrayEquals(w.values().flatten(), viaRelay.values().flatten());
    long oneCopy = frameBytes(ServedVersion.complete(w, CHUNK, WireDtype.FLOAT32), 0);
    assertEquals(oneCopy, store.bytesSent(), "the store sent each byte once");
    assertEquals(oneCopy, relay.bytesSent());
  }

  @Test
  void shouldFallBackToTheStoreWhenTheRelayGivesTheVersionUp() throws Exception {
    FlatWeights w = weights(5);
    WeightServer store = store(w);
    ServedVersions relayed = new ServedVersions();
    WeightServer relay = serve(relayed);
    PartialVersion abandoned = new PartialVersion(w.header(), CHUNK, WireDtype.FLOAT32);
    relayed.offer(abandoned);
    PartialVersion target = new PartialVersion(w.header(), CHUNK, WireDtype.FLOAT32);
    CompletionStage<FlatWeights> done =
        WeightFetch.run(testKit.system(), target, relay.address(), store.address(), TWICE);
    abandoned.abandon();
    assertArrayEquals(w.values().flatten(), get(done).values().flatten());
  }

  @Test
  void shouldFailWithVersionGoneWhenTheStoreHoldsANewerVersion() throws Exception {
    WeightServer store = store(weights(7));
    PartialVersion old = new PartialVersion(weights(6).header(), CHUNK, WireDtype.FLOAT32);
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                get(
                    WeightFetch.run(
                        testKit.system(), old, store.address(), store.address(), TWICE)));
    assertInstanceOf(PartialVersion.VersionGoneException.class, e.getCause());
  }

  /** Version {@code next} of {@code base}: the same values but {@code changed} of them. */
  static FlatWeights successor(FlatWeights base, long next, int... changed) {
    float[] v = base.values().flatten();
    for (int i : changed) {
      v[i] += 0.5f;
    }
    return FlatWeights.of(PolicyVersion.of(next), base.header().names(), base.header().shapes(), v);
  }

  static WeightServer store(FlatWeights w, FlatWeights base, WireDtype dtype) throws Exception {
    ServedVersions versions = new ServedVersions();
    versions.offer(ServedVersion.complete(w, base, CHUNK, dtype));
    return serve(versions);
  }

  @Test
  void shouldSendAFollowerOnTheBaseOnlyTheValuesThatChanged() throws Exception {
    FlatWeights v1 = weights(11);
    FlatWeights v2 = successor(v1, 12, 3, 30);
    WeightServer store = store(v2, v1, WireDtype.FLOAT32);
    PartialVersion target = new PartialVersion(v2.header(), CHUNK, WireDtype.FLOAT32, v1);
    FlatWeights got =
        get(WeightFetch.run(testKit.system(), target, store.address(), store.address(), ONCE));
    assertArrayEquals(v2.values().flatten(), got.values().flatten());
    assertEquals(v2.header(), got.header(), "the checksum of the whole held");
    long whole = frameBytes(ServedVersion.complete(v2, CHUNK, WireDtype.FLOAT32), 0);
    // Six frames of 21 bytes (length, type, index, CRC, two counts), two with a value: 2 x 5 more.
    assertEquals(6 * 21 + 2 * 5, store.bytesSent());
    assertTrue(store.bytesSent() < whole, store.bytesSent() + " of " + whole);
  }

  @Test
  void shouldSendTheWholeVersionToAFollowerOnAnotherBase() throws Exception {
    FlatWeights v1 = weights(13);
    FlatWeights v2 = successor(v1, 14, 5);
    WeightServer store = store(v2, v1, WireDtype.FLOAT32);
    FlatWeights older = weights(12);
    PartialVersion target = new PartialVersion(v2.header(), CHUNK, WireDtype.FLOAT32, older);
    FlatWeights got =
        get(WeightFetch.run(testKit.system(), target, store.address(), store.address(), ONCE));
    assertArrayEquals(v2.values().flatten(), got.values().flatten());
    assertEquals(
        frameBytes(ServedVersion.complete(v2, CHUNK, WireDtype.FLOAT32), 0), store.bytesSent());
  }

  @Test
  void shouldRelayTheDifferenceToAFollowerOnTheSameBase() throws Exception {
    FlatWeights v1 = weights(15);
    FlatWeights v2 = successor(v1, 16, 0, 21, 38);
    WeightServer store = store(v2, v1, WireDtype.FLOAT32);
    ServedVersions relayed = new ServedVersions();
    WeightServer relay = serve(relayed);
    PartialVersion middle = new PartialVersion(v2.header(), CHUNK, WireDtype.FLOAT32, v1);
    PartialVersion last = new PartialVersion(v2.header(), CHUNK, WireDtype.FLOAT32, v1);
    relayed.offer(middle);
    CompletionStage<FlatWeights> lastDone =
        WeightFetch.run(testKit.system(), last, relay.address(), store.address(), ONCE);
    assertArrayEquals(
        v2.values().flatten(),
        get(WeightFetch.run(testKit.system(), middle, store.address(), store.address(), ONCE))
            .values()
            .flatten());
    assertArrayEquals(v2.values().flatten(), get(lastDone).values().flatten());
    assertEquals(store.bytesSent(), relay.bytesSent(), "the relay sent the same differences");
    assertTrue(store.bytesSent() == 6 * 21 + 3 * 5, "differences only: " + store.bytesSent());
  }

  @Test
  void shouldLeaveABfloat16FollowerOnTheBaseWithTheChecksummedRoundedValues() throws Exception {
    FlatWeights v1 = weights(17);
    FlatWeights v2 = successor(v1, 18, 7, 8);
    FlatWeights served = new FlatWeights(WireDtype.BFLOAT16.roundedHeader(v2), v2.values());
    FlatWeights base = new FlatWeights(WireDtype.BFLOAT16.roundedHeader(v1), v1.values());
    WeightServer store = store(served, base, WireDtype.BFLOAT16);
    float[] held = v1.values().flatten();
    for (int i = 0; i < held.length; i++) {
      held[i] = WireDtype.BFLOAT16.round(held[i]); // what the follower holds of v1
    }
    PartialVersion target =
        new PartialVersion(
            served.header(),
            CHUNK,
            WireDtype.BFLOAT16,
            FlatWeights.of(v1.version(), base.header().names(), base.header().shapes(), held));
    FlatWeights got =
        get(WeightFetch.run(testKit.system(), target, store.address(), store.address(), ONCE));
    float[] sent = v2.values().flatten();
    float[] received = got.values().flatten();
    for (int i = 0; i < held.length; i++) {
      assertEquals(WireDtype.BFLOAT16.round(sent[i]), received[i], "value " + i);
    }
    assertEquals(served.header().checksum(), got.header().checksum());
  }

  @Test
  void shouldDropAPeerThatSendsGarbageAndKeepServingOthers() throws Exception {
    FlatWeights w = weights(8);
    WeightServer store = store(w);
    try (Socket hostile = new Socket("127.0.0.1", store.address().port())) {
      hostile.setSoTimeout(10_000);
      OutputStream out = hostile.getOutputStream();
      out.write(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 1, 2, 3});
      out.flush();
      InputStream in = hostile.getInputStream();
      int first;
      try {
        first = in.read();
      } catch (SocketException reset) {
        first = -1; // closed with our garbage unread: a reset instead of an orderly close
      }
      assertEquals(-1, first, "the server closed the connection without sending a frame");
    }
    PartialVersion target = new PartialVersion(w.header(), CHUNK, WireDtype.FLOAT32);
    assertArrayEquals(
        w.values().flatten(),
        get(WeightFetch.run(testKit.system(), target, store.address(), store.address(), ONCE))
            .values()
            .flatten());
  }
}
