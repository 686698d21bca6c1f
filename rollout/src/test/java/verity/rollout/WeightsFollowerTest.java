package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
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
import verity.actors.protocol.WeightsProtocol.FetchChunks;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.protocol.WeightsProtocol.VersionPublished;
import verity.actors.protocol.WeightsProtocol.WeightsChunk;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsChunker;

/** Each test gets its own actor system, so that only its own store is registered. */
class WeightsFollowerTest {
  ActorTestKit testKit;

  @BeforeEach
  void start() {
    testKit =
        ActorTestKit.create(
            "follower",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(testKit.system());
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
    return FlatWeights.of(version, List.of("w"), List.of(new int[] {100}), v);
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
    WeightsChunker.split(v3, 30).forEach(first.replyTo()::tell);
    FlatWeights got = parent.receiveMessage().weights();
    assertEquals(PolicyVersion.of(3), got.version());
    assertArrayEquals(v3.values(), got.values());

    // A newer version is announced; its chunks arrive corrupted, so nothing is handed over and
    // the follower asks again.
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
    FetchLatest second = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    assertEquals(PolicyVersion.of(4), second.atLeast());
    List<WeightsChunk> chunks = WeightsChunker.split(v5, 30);
    chunks.get(2).data()[0] = 9f;
    chunks.forEach(second.replyTo()::tell);
    parent.expectNoMessage(Duration.ofMillis(300));
    FetchLatest retry = store.expectMessageClass(FetchLatest.class);
    WeightsChunker.split(v5, 30).forEach(retry.replyTo()::tell);
    assertEquals(PolicyVersion.of(5), parent.receiveMessage().weights().version());
  }

  @Test
  void shouldGoBackToTheStoresVersionWhenTheLearnerResumedFromAnOlderCheckpoint() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    FetchLatest first =
        store
            .fishForMessage(
                Duration.ofSeconds(10),
                m ->
                    m instanceof FetchLatest
                        ? akka.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : akka.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
            .stream()
            .map(FetchLatest.class::cast)
            .reduce((a, b) -> b)
            .orElseThrow();
    WeightsChunker.split(weights(7, 0.5f), 30).forEach(first.replyTo()::tell);
    assertEquals(PolicyVersion.of(7), parent.receiveMessage().weights().version());

    // The learner resumed from its checkpoint of v4 and republished it as v4/e1: newer than
    // anything of the lineage it discarded, so the follower moves to it on its next poll.
    FetchLatest poll = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    assertEquals(PolicyVersion.of(8), poll.atLeast());
    FlatWeights v4 = weights(new PolicyVersion(1, 4), 0.75f);
    WeightsChunker.split(v4, 30).forEach(poll.replyTo()::tell);
    FlatWeights got = parent.receiveMessage().weights();
    assertEquals(new PolicyVersion(1, 4), got.version());
    assertArrayEquals(v4.values(), got.values());
  }

  @Test
  void shouldGoBackToTheStoresVersionWhenTheStoreIsBehindIt() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    FetchLatest first = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    WeightsChunker.split(weights(7, 0.5f), 30).forEach(first.replyTo()::tell);
    assertEquals(PolicyVersion.of(7), parent.receiveMessage().weights().version());

    // A store that knows only v4 (a new run): the follower takes what the store has.
    FetchLatest poll = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    poll.replyTo().tell(new WeightsProtocol.NotAvailable(poll.atLeast(), PolicyVersion.of(4)));
    FetchLatest again = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    assertEquals(PolicyVersion.INITIAL, again.atLeast(), "asks for whatever the store has");
    FlatWeights v4 = weights(4, 0.75f);
    WeightsChunker.split(v4, 30).forEach(again.replyTo()::tell);
    FlatWeights got = parent.receiveMessage().weights();
    assertEquals(PolicyVersion.of(4), got.version());
    assertArrayEquals(v4.values(), got.values());
  }

  /** A version of {@code chunks} one-value chunks, each value its own index plus {@code base}. */
  static FlatWeights counting(long version, int chunks, float base) {
    float[] v = new float[chunks];
    for (int i = 0; i < v.length; i++) {
      v[i] = base + i;
    }
    return FlatWeights.of(PolicyVersion.of(version), List.of("w"), List.of(new int[] {chunks}), v);
  }

  static void serve(FlatWeights w, int from, int count, ActorRef<WeightsProtocol.Delivery> to) {
    for (int i = from; i < Math.min(from + count, w.values().length); i++) {
      to.tell(WeightsChunker.chunk(w, i, 1));
    }
  }

  TestProbe<WeightsProtocol.Command> registeredStore() {
    TestProbe<WeightsProtocol.Command> store = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
    return store;
  }

  @Test
  void shouldPullALargeVersionAWindowAtATime() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    int w = WeightsFollower.WINDOW;
    FlatWeights big = counting(3, 5 * w + 7, 0.5f);

    FetchLatest first = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    assertEquals(2 * w, first.chunks(), "two windows first, not the whole version");
    serve(big, 0, w, first.replyTo());
    // A window received without a gap: the next one is asked for, two windows ahead at most.
    FetchChunks next = store.expectMessageClass(FetchChunks.class);
    assertEquals(PolicyVersion.of(3), next.version());
    assertEquals(2 * w, next.from());
    assertEquals(w, next.chunks());
    serve(big, w, w, first.replyTo());
    FetchChunks third = store.expectMessageClass(FetchChunks.class);
    assertEquals(3 * w, third.from());
    store.expectNoMessage(Duration.ofMillis(200));
    serve(big, 2 * w, w, next.replyTo());
    FetchChunks fourth = store.expectMessageClass(FetchChunks.class);
    serve(big, 3 * w, w, third.replyTo());
    FetchChunks fifth = store.expectMessageClass(FetchChunks.class);
    assertEquals(5 * w, fifth.from());
    serve(big, 4 * w, w, fourth.replyTo());
    serve(big, 5 * w, w, fifth.replyTo());
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertArrayEquals(big.values(), got.values());
  }

  @Test
  void shouldResumeAtTheFirstMissingChunk() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef(), Duration.ofMillis(500)));
    int w = WeightsFollower.WINDOW;
    FlatWeights big = counting(3, 2 * w, 0.5f);
    FetchLatest first = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    serve(big, 0, 10, first.replyTo()); // chunk 10 is lost on the way
    serve(big, 11, 2 * w, first.replyTo());
    FetchChunks resume = store.expectMessageClass(FetchChunks.class, Duration.ofSeconds(5));
    assertEquals(10, resume.from(), "resumes at the chunk it misses, not from the start");
    serve(big, 10, 1, resume.replyTo());
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertArrayEquals(big.values(), got.values());
  }

  @Test
  void shouldStartOverOnTheNewestWhenTheStoreReplacedTheVersionMidFetch() {
    TestProbe<WeightsProtocol.Command> store = registeredStore();
    TestProbe<WeightsFollower.WeightsReady> parent = testKit.createTestProbe();
    testKit.spawn(WeightsFollower.create(parent.getRef()));
    int w = WeightsFollower.WINDOW;
    FlatWeights v3 = counting(3, 4 * w, 0.5f);
    FlatWeights v4 = counting(4, 4 * w, 1.5f);
    FetchLatest first = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    serve(v3, 0, w, first.replyTo());
    FetchChunks more = store.expectMessageClass(FetchChunks.class);
    more.replyTo().tell(new WeightsProtocol.NotAvailable(more.version(), v4.version()));
    FetchLatest again = store.expectMessageClass(FetchLatest.class, Duration.ofSeconds(10));
    serve(v4, 0, 2 * w, again.replyTo());
    FetchChunks rest = store.expectMessageClass(FetchChunks.class);
    assertEquals(PolicyVersion.of(4), rest.version());
    serve(v4, 2 * w, 2 * w, rest.replyTo());
    FlatWeights got = parent.receiveMessage(Duration.ofSeconds(10)).weights();
    assertEquals(PolicyVersion.of(4), got.version());
    assertArrayEquals(v4.values(), got.values());
  }
}
