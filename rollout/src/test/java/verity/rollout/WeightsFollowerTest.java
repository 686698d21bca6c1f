package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.protocol.WeightsProtocol.Offer;
import verity.actors.protocol.WeightsProtocol.VersionPublished;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;
import verity.actors.weights.plane.PlaneAddress;
import verity.actors.weights.plane.ServedVersion;
import verity.actors.weights.plane.ServedVersions;
import verity.actors.weights.plane.WeightServer;
import verity.actors.weights.plane.WireDtype;

/**
 * Each test gets its own actor system, so that only its own store is registered. The test plays the
 * store's actor side with a probe and serves the bytes from a real weight-plane server.
 */
class WeightsFollowerTest {
  static final int CHUNK = 30;

  ActorTestKit testKit;
  ServedVersions served;
  WeightServer server;

  @BeforeEach
  void start() throws Exception {
    testKit =
        ActorTestKit.create(
            "follower",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(testKit.system());
    served = new ServedVersions();
    server =
        WeightServer.bind(testKit.system(), "127.0.0.1", "127.0.0.1", 0, served)
            .toCompletableFuture()
            .get();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  static FlatWeights weights(long version, float fill) {
    return weights(PolicyVersion.of(version), fill);
  }

  static FlatWeights weights(PolicyVersion version, float fill) {
    float[] v = new float[100];
    java.util.Arrays.fill(v, fill);
    v[0] = fill * 3;
    return FlatWeights.of(
        version, List.of("w", "b"), List.of(new int[] {10, 9}, new int[] {10}), v);
  }

  /** Serves {@code w} from the test's server and offers it in answer to {@code request}. */
  void offer(FetchLatest request, FlatWeights w) {
    offer(request, w, server.address());
  }

  void offer(FetchLatest request, FlatWeights w, PlaneAddress upstream) {
    served.offer(ServedVersion.complete(w, CHUNK, WireDtype.FLOAT32));
    request
        .replyTo()
        .tell(new Offer(w.header(), CHUNK, WireDtype.FLOAT32, server.address(), upstream));
  }

  @Test
  void shouldFetchTheCurrentVersionOnJoinAndOnlyHandOverVerifiedWeights() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));

    // Joining mid-run: the follower asks for whatever is current without waiting for news.
    FetchLatest first = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    assertEquals(PolicyVersion.INITIAL, first.atLeast());
    FlatWeights v3 = weights(3, 0.5f);
    offer(first, v3);
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertEquals(PolicyVersion.of(3), got.version());
    assertArrayEquals(v3.values().flatten(), got.values().flatten());

    // A newer version is announced; the store's copy does not match its header's checksum, so
    // nothing is handed over and the follower asks again.
    ActorRef<Topic.Command<VersionPublished>> topic =
        testKit.spawn(Topic.create(VersionPublished.class, Topics.POLICY_VERSIONS));
    TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
    stats.awaitAssert(
        () -> {
          topic.tell(Topic.getTopicStats(stats.getRef()));
          assertEquals(1, stats.receiveMessage().topicInstanceCount());
          return null;
        });
    FlatWeights v5 = weights(5, 0.25f);
    topic.tell(Topic.publish(new VersionPublished(v5.header())));
    FetchLatest second = lastFetch(store);
    assertEquals(PolicyVersion.of(4), second.atLeast());
    float[] corrupt = v5.values().flatten();
    corrupt[42] = 9f;
    offer(second, new FlatWeights(v5.header(), WeightValues.split(corrupt, v5.header().shapes())));
    parent.expectNoMessage(Duration.ofMillis(500));
    FetchLatest retry = lastFetch(store);
    assertEquals(PolicyVersion.of(4), retry.atLeast());
    offer(retry, weights(6, 0.25f));
    assertEquals(
        PolicyVersion.of(6), parent.receiveMessage(Duration.ofSeconds(10)).weights().version());
  }

  @Test
  void shouldFetchNothingMoreWhileAPacedFollowersParentHasNotLoadedTheLastVersion() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    ActorRef<WeightsFollower.Command> follower =
        testKit.spawn(WeightsFollower.paced(parent.getRef()));
    offer(store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10)), weights(3, 0.5f));
    assertEquals(
        PolicyVersion.of(3), parent.receiveMessage(Duration.ofSeconds(10)).weights().version());

    // Not loaded yet: no poll, so no second version on the heap beside the one handed over.
    store.expectNoMessage(Duration.ofMillis(2500));
    follower.tell(new WeightsFollower.Loaded(PolicyVersion.of(3)));
    FetchLatest next = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    assertEquals(PolicyVersion.of(4), next.atLeast());
    offer(next, weights(5, 0.25f));
    assertEquals(
        PolicyVersion.of(5), parent.receiveMessage(Duration.ofSeconds(10)).weights().version());
  }

  @Test
  void shouldGoBackToTheStoresVersionWhenTheLearnerResumedFromAnOlderCheckpoint() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    offer(lastFetch(store), weights(7, 0.5f));
    assertEquals(
        PolicyVersion.of(7), parent.receiveMessage(Duration.ofSeconds(10)).weights().version());

    // The learner resumed from its checkpoint of v4 and republished it as v4/e1: newer than
    // anything of the lineage it discarded, so the follower moves to it on its next poll.
    FetchLatest poll = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    assertEquals(PolicyVersion.of(8), poll.atLeast());
    FlatWeights v4 = weights(new PolicyVersion(1, 4), 0.75f);
    offer(poll, v4);
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertEquals(new PolicyVersion(1, 4), got.version());
    assertArrayEquals(v4.values().flatten(), got.values().flatten());
  }

  @Test
  void shouldGoBackToTheStoresVersionWhenTheStoreIsBehindIt() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    offer(lastFetch(store), weights(7, 0.5f));
    assertEquals(
        PolicyVersion.of(7), parent.receiveMessage(Duration.ofSeconds(10)).weights().version());

    // A store that knows only v4 (a new run): the follower takes what the store has.
    FetchLatest poll = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    poll.replyTo().tell(new WeightsProtocol.NotAvailable(poll.atLeast(), PolicyVersion.of(4)));
    FetchLatest again = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    assertEquals(PolicyVersion.INITIAL, again.atLeast(), "asks for whatever the store has");
    FlatWeights v4 = weights(4, 0.75f);
    offer(again, v4);
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertEquals(PolicyVersion.of(4), got.version());
    assertArrayEquals(v4.values().flatten(), got.values().flatten());
  }

  @Test
  void shouldStreamFromTheStoreWhenItsUpstreamRelayIsGone() throws Exception {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort(); // nothing listens there once closed
    }
    FlatWeights v2 = weights(2, 0.125f);
    offer(lastFetch(store), v2, new PlaneAddress("127.0.0.1", deadPort));
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertEquals(PolicyVersion.of(2), got.version());
    assertArrayEquals(v2.values().flatten(), got.values().flatten());
  }

  @Test
  void shouldStartOverOnTheNewestWhenTheStoreReplacedTheVersionMidFetch() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    FlatWeights v3 = weights(3, 0.5f);
    FlatWeights v4 = weights(4, 0.625f);
    // The follower is offered v3, but by the time it connects the store serves only v4.
    served.offer(ServedVersion.complete(v4, CHUNK, WireDtype.FLOAT32));
    FetchLatest first = lastFetch(store);
    first
        .replyTo()
        .tell(new Offer(v3.header(), CHUNK, WireDtype.FLOAT32, server.address(), server.address()));
    parent.expectNoMessage(Duration.ofMillis(500));
    FetchLatest again = lastFetch(store);
    assertEquals(PolicyVersion.INITIAL, again.atLeast());
    offer(again, v4);
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertEquals(PolicyVersion.of(4), got.version());
    assertArrayEquals(v4.values().flatten(), got.values().flatten());
  }

  @Test
  void shouldOnlyReportVersionsUntilItsParentAsksForTheNewest() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    TestProbe<WeightsFollower.VersionSeen> seen = testKit.createTestProbe();
    ActorRef<WeightsFollower.Command> follower =
        testKit.spawn(WeightsFollower.onDemand(parent.getRef(), seen.getRef()));
    FlatWeights v3 = weights(3, 0.5f);
    offer(lastFetch(store), v3);
    assertEquals(PolicyVersion.of(3), seen.receiveMessage(Duration.ofSeconds(10)).version());
    parent.expectNoMessage(Duration.ofMillis(1500)); // polls do not fetch either
    assertEquals(0, server.bytesSent(), "nothing streamed before it was asked");

    follower.tell(WeightsFollower.FetchNewest.INSTANCE);
    offer(lastFetch(store), v3);
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertArrayEquals(v3.values().flatten(), got.values().flatten());

    // Asked again for the same version (its parent dropped the weights): it fetches it again.
    follower.tell(WeightsFollower.FetchNewest.INSTANCE);
    FetchLatest again = lastFetch(store);
    assertEquals(PolicyVersion.INITIAL, again.atLeast());
    offer(again, v3);
    assertEquals(
        PolicyVersion.of(3), parent.receiveMessage(Duration.ofSeconds(10)).weights().version());
  }

  @Test
  void shouldRelayWhatItReceivesWhenRelayingIsOn() throws Exception {
    ActorTestKit relaying =
        ActorTestKit.create(
            "follower",
            VerityNode.load(
                ConfigFactory.parseString(
                    "akka.remote.artery.canonical.port = 0\nverity.weights.relay-fanout = 1")));
    try {
      VerityNode.joinSelf(relaying.system());
      TestProbe<WeightsProtocol.Command> store = relaying.createTestProbe();
      relaying
          .system()
          .receptionist()
          .tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
      TestProbe<WeightsFollower.WeightsReady> parent = relaying.createTestProbe();
      relaying.spawn(WeightsFollower.create(parent.getRef()));
      FetchLatest first = lastFetch(store, f -> f.relay() != null);
      PlaneAddress relayAt = first.relay();
      FlatWeights v9 = weights(9, 0.375f);
      offer(first, v9);
      assertEquals(
          PolicyVersion.of(9), parent.receiveMessage(Duration.ofSeconds(10)).weights().version());

      // Another replica streams v9 from the relay, which never asked the test's server twice.
      long sentByStore = server.bytesSent();
      verity.actors.weights.plane.PartialVersion downstream =
          new verity.actors.weights.plane.PartialVersion(v9.header(), CHUNK, WireDtype.FLOAT32);
      FlatWeights relayed =
          verity.actors.weights.plane.WeightFetch.run(
                  testKit.system(),
                  downstream,
                  relayAt,
                  server.address(),
                  new verity.actors.weights.plane.WeightFetch.Settings(
                      Duration.ofSeconds(2), Duration.ofSeconds(5), 1))
              .toCompletableFuture()
              .get();
      assertArrayEquals(v9.values().flatten(), relayed.values().flatten());
      assertEquals(sentByStore, server.bytesSent(), "the store sent nothing more");
      assertTrue(sentByStore > 0);
    } finally {
      relaying.shutdownTestKit();
    }
  }

  static FetchLatest lastFetch(TestProbe<WeightsProtocol.Command> store) {
    return lastFetch(store, f -> true);
  }

  /** The first request that matches, after any earlier requests (polls) are skipped. */
  static FetchLatest lastFetch(
      TestProbe<WeightsProtocol.Command> store, java.util.function.Predicate<FetchLatest> which) {
    return store
        .fishForMessage(
            Duration.ofSeconds(10),
            m ->
                m instanceof FetchLatest f && which.test(f)
                    ? FishingOutcomes.complete()
                    : FishingOutcomes.continueAndIgnore())
        .stream()
        .map(FetchLatest.class::cast)
        .reduce((a, b) -> b)
        .orElseThrow();
  }

  @Test
  void shouldReceiveTheNextVersionAsADifferenceWhenDeltaIsOn() throws Exception {
    testKit.shutdownTestKit();
    testKit =
        ActorTestKit.create(
            "follower-delta",
            VerityNode.load(
                ConfigFactory.parseString(
                    "akka.remote.artery.canonical.port = 0\nverity.weights.delta = on")));
    VerityNode.joinSelf(testKit.system());
    served = new ServedVersions();
    server =
        WeightServer.bind(testKit.system(), "127.0.0.1", "127.0.0.1", 0, served)
            .toCompletableFuture()
            .get();
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    FlatWeights v3 = weights(3, 0.5f);
    offer(store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10)), v3);
    assertEquals(
        PolicyVersion.of(3), parent.receiveMessage(Duration.ofSeconds(10)).weights().version());
    long whole = server.bytesSent();

    ActorRef<Topic.Command<VersionPublished>> topic =
        testKit.spawn(Topic.create(VersionPublished.class, Topics.POLICY_VERSIONS));
    TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
    stats.awaitAssert(
        () -> {
          topic.tell(Topic.getTopicStats(stats.getRef()));
          assertEquals(1, stats.receiveMessage().topicInstanceCount());
          return null;
        });
    float[] next = v3.values().flatten();
    next[17] = 2f;
    FlatWeights v4 =
        FlatWeights.of(PolicyVersion.of(4), v3.header().names(), v3.header().shapes(), next);
    topic.tell(Topic.publish(new VersionPublished(v4.header())));
    FetchLatest request = lastFetch(store);
    served.offer(ServedVersion.complete(v4, v3, CHUNK, WireDtype.FLOAT32));
    request
        .replyTo()
        .tell(new Offer(v4.header(), CHUNK, WireDtype.FLOAT32, server.address(), server.address()));
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertArrayEquals(next, got.values().flatten());
    long difference = server.bytesSent() - whole;
    assertTrue(difference < whole / 4, difference + " bytes for v4, " + whole + " for v3");
  }

  TestProbe<WeightsProtocol.Command> registeredStore() {
    TestProbe<WeightsProtocol.Command> store = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
    return store;
  }
}
