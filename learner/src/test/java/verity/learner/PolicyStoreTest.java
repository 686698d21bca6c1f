package verity.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.protocol.WeightsProtocol.NotAvailable;
import verity.actors.protocol.WeightsProtocol.Offer;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;
import verity.actors.weights.plane.PartialVersion;
import verity.actors.weights.plane.PlaneAddress;
import verity.actors.weights.plane.PlaneSettings;
import verity.actors.weights.plane.WeightFetch;
import verity.actors.weights.plane.WireDtype;

/** Each test spawns its own store in its own actor system, so only that store is registered. */
class PolicyStoreTest {
  static final WeightFetch.Settings FETCH =
      new WeightFetch.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 1);

  static FlatWeights weights(long version, int values) {
    float[] v = new float[values];
    for (int i = 0; i < values; i++) {
      v[i] = version * 1000 + i + 1f / 3;
    }
    return FlatWeights.of(
        PolicyVersion.of(version),
        List.of("w", "b"),
        List.of(new int[] {values - 5}, new int[] {5}),
        v);
  }

  static PlaneSettings plane(int fanout, WireDtype dtype) {
    return new PlaneSettings("127.0.0.1", 0, fanout, dtype, false, FETCH);
  }

  static PlaneSettings delta(WireDtype dtype) {
    return new PlaneSettings("127.0.0.1", 0, 0, dtype, true, FETCH);
  }

  static ActorTestKit kit() {
    ActorTestKit kit =
        ActorTestKit.create(
            "store",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(kit.system());
    return kit;
  }

  static ActorRef<WeightsProtocol.Command> storeRef(ActorTestKit kit) {
    TestProbe<Receptionist.Listing> listing = kit.createTestProbe();
    return listing.awaitAssert(
        () -> {
          kit.system()
              .receptionist()
              .tell(Receptionist.find(ServiceKeys.POLICY_STORE, listing.getRef()));
          var found = listing.receiveMessage().getServiceInstances(ServiceKeys.POLICY_STORE);
          assertEquals(1, found.size());
          return found.iterator().next();
        });
  }

  /** Asks until the store has bound its plane and offers {@code atLeast} or newer. */
  static Offer offer(
      ActorTestKit kit, ActorRef<WeightsProtocol.Command> requests, PlaneAddress relay) {
    TestProbe<WeightsProtocol.Reply> replica = kit.createTestProbe();
    return replica.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          requests.tell(new FetchLatest(PolicyVersion.INITIAL, relay, replica.getRef()));
          return replica.expectMessageClass(Offer.class);
        });
  }

  static FlatWeights stream(ActorTestKit kit, Offer offer) throws Exception {
    return stream(kit, offer, null);
  }

  static FlatWeights stream(ActorTestKit kit, Offer offer, FlatWeights held) throws Exception {
    return WeightFetch.run(
            kit.system(),
            new PartialVersion(offer.header(), offer.chunkValues(), offer.dtype(), held),
            offer.upstream(),
            offer.store(),
            FETCH)
        .toCompletableFuture()
        .get();
  }

  @Test
  void shouldOfferItsNewestVersionAndServeItsBytesOverThePlane() throws Exception {
    ActorTestKit kit = kit();
    try {
      ActorRef<PolicyStore.Command> store =
          kit.spawn(PolicyStore.create(10, plane(0, WireDtype.FLOAT32)));
      FlatWeights v1 = weights(1, 95);
      store.tell(new PolicyStore.Publish(v1));
      ActorRef<WeightsProtocol.Command> requests = storeRef(kit);
      Offer offer = offer(kit, requests, null);
      assertEquals(v1.header(), offer.header());
      assertEquals(offer.store(), offer.upstream(), "no relaying: straight from the store");
      assertArrayEquals(v1.values().flatten(), stream(kit, offer).values().flatten());

      TestProbe<WeightsProtocol.Reply> replica = kit.createTestProbe();
      requests.tell(new FetchLatest(PolicyVersion.of(2), null, replica.getRef()));
      assertEquals(
          new NotAvailable(PolicyVersion.of(2), PolicyVersion.of(1)),
          replica.expectMessageClass(NotAvailable.class));
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void shouldDropTheValuesOfAReleasedVersionAndOfferTheNextOnceItIsPublished() throws Exception {
    ActorTestKit kit = kit();
    try {
      ActorRef<PolicyStore.Command> store =
          kit.spawn(PolicyStore.create(10, plane(0, WireDtype.FLOAT32)));
      ActorRef<WeightsProtocol.Command> requests = storeRef(kit);
      WeakReference<WeightValues> v1 = publishAndForget(kit, store, requests, weights(1, 95));

      TestProbe<Done> released = kit.createTestProbe();
      store.tell(new PolicyStore.Release(released.getRef()));
      released.expectMessage(Done.getInstance());
      TestProbe<WeightsProtocol.Reply> replica = kit.createTestProbe();
      requests.tell(new FetchLatest(PolicyVersion.INITIAL, null, replica.getRef()));
      assertEquals(
          new NotAvailable(PolicyVersion.INITIAL, PolicyVersion.of(1)),
          replica.expectMessageClass(NotAvailable.class),
          "released: wait for the next version");
      for (int i = 0; i < 50 && v1.get() != null; i++) {
        System.gc();
        Thread.sleep(100);
      }
      assertNull(v1.get(), "the store still holds the released version's values");

      FlatWeights v2 = weights(2, 95);
      store.tell(new PolicyStore.Publish(v2));
      Offer offer = offerOf(kit, requests, PolicyVersion.of(2));
      assertArrayEquals(v2.values().flatten(), stream(kit, offer).values().flatten());
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** Publishes {@code w}, streams it once, and keeps only a weak reference to its values. */
  private static WeakReference<WeightValues> publishAndForget(
      ActorTestKit kit,
      ActorRef<PolicyStore.Command> store,
      ActorRef<WeightsProtocol.Command> requests,
      FlatWeights w)
      throws Exception {
    store.tell(new PolicyStore.Publish(w));
    assertArrayEquals(
        w.values().flatten(), stream(kit, offer(kit, requests, null)).values().flatten());
    return new WeakReference<>(w.values());
  }

  @Test
  void shouldChainReplicasThatRelayWhenTheFanOutIsOne() {
    ActorTestKit kit = kit();
    try {
      ActorRef<PolicyStore.Command> store =
          kit.spawn(PolicyStore.create(10, plane(1, WireDtype.FLOAT32)));
      store.tell(new PolicyStore.Publish(weights(1, 95)));
      ActorRef<WeightsProtocol.Command> requests = storeRef(kit);
      PlaneAddress a = new PlaneAddress("10.0.0.1", 7000);
      PlaneAddress b = new PlaneAddress("10.0.0.2", 7000);
      Offer first = offer(kit, requests, a);
      assertEquals(first.store(), first.upstream());
      assertEquals(a, offer(kit, requests, b).upstream());
      assertEquals(first.store(), offer(kit, requests, null).upstream(), "a non-relay: the store");

      store.tell(new PolicyStore.Publish(weights(2, 95)));
      TestProbe<WeightsProtocol.Reply> replica = kit.createTestProbe();
      Offer newer =
          replica.awaitAssert(
              () -> {
                requests.tell(new FetchLatest(PolicyVersion.of(2), b, replica.getRef()));
                return replica.expectMessageClass(Offer.class);
              });
      assertEquals(newer.store(), newer.upstream(), "the order starts anew with each version");
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void shouldSendBfloat16AndAnnounceTheChecksumOfTheRoundedValues() throws Exception {
    ActorTestKit kit = kit();
    try {
      ActorRef<PolicyStore.Command> store =
          kit.spawn(PolicyStore.create(10, plane(0, WireDtype.BFLOAT16)));
      FlatWeights v1 = weights(1, 95);
      store.tell(new PolicyStore.Publish(v1));
      Offer offer = offer(kit, storeRef(kit), null);
      assertEquals(WireDtype.BFLOAT16, offer.dtype());
      assertNotEquals(v1.header().checksum(), offer.header().checksum());
      FlatWeights got = stream(kit, offer);
      float[] rounded = v1.values().flatten();
      for (int i = 0; i < rounded.length; i++) {
        rounded[i] = WireDtype.BFLOAT16.round(rounded[i]);
      }
      assertArrayEquals(rounded, got.values().flatten());
      assertEquals(offer.header().checksum(), got.header().checksum());
    } finally {
      kit.shutdownTestKit();
    }
  }

  static long bytesSent(ActorTestKit kit, ActorRef<PolicyStore.Command> store) {
    TestProbe<PolicyStore.PlaneStats> stats = kit.createTestProbe();
    store.tell(new PolicyStore.GetPlaneStats(stats.getRef()));
    return stats.receiveMessage().bytesSent();
  }

  /** Asks until the store offers {@code version}. */
  static Offer offerOf(
      ActorTestKit kit, ActorRef<WeightsProtocol.Command> requests, PolicyVersion version) {
    TestProbe<WeightsProtocol.Reply> replica = kit.createTestProbe();
    return replica.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          requests.tell(new FetchLatest(version, null, replica.getRef()));
          return replica.expectMessageClass(Offer.class);
        });
  }

  @Test
  void shouldSendAReplicaOnThePreviousVersionOnlyWhatChangedInBfloat16() throws Exception {
    ActorTestKit kit = kit();
    try {
      ActorRef<PolicyStore.Command> store =
          kit.spawn(PolicyStore.create(50, delta(WireDtype.BFLOAT16)));
      FlatWeights v1 = weights(1, 95);
      store.tell(new PolicyStore.Publish(v1));
      ActorRef<WeightsProtocol.Command> requests = storeRef(kit);
      FlatWeights got1 = stream(kit, offer(kit, requests, null));
      long whole = bytesSent(kit, store);

      float[] next = v1.values().flatten();
      next[3] += 1000; // two values move past bfloat16's resolution; the rest keep their bits
      next[90] -= 1000;
      for (int i = 0; i < next.length; i++) {
        next[i] += 1e-4f;
      }
      FlatWeights v2 =
          FlatWeights.of(PolicyVersion.of(2), v1.header().names(), v1.header().shapes(), next);
      store.tell(new PolicyStore.Publish(v2));
      Offer offer = offerOf(kit, requests, PolicyVersion.of(2));
      FlatWeights got2 = stream(kit, offer, got1);
      float[] received = got2.values().flatten();
      for (int i = 0; i < next.length; i++) {
        assertEquals(WireDtype.BFLOAT16.round(next[i]), received[i], "value " + i);
      }
      assertEquals(offer.header().checksum(), got2.header().checksum());
      long difference = bytesSent(kit, store) - whole;
      assertTrue(difference < whole / 2, difference + " bytes for v2, " + whole + " for v1");

      // A replica that holds nothing gets v2 whole.
      assertArrayEquals(got2.values().flatten(), stream(kit, offer).values().flatten());
      assertEquals(whole, bytesSent(kit, store) - whole - difference);
    } finally {
      kit.shutdownTestKit();
    }
  }
}
