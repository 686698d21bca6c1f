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
    TestProbe<WeightsProtocol.Command> store = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
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
    TestProbe<WeightsProtocol.Command> store = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
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
    TestProbe<WeightsProtocol.Command> store = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
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
}
