package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.protocol.WeightsProtocol.FetchChunks;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.protocol.WeightsProtocol.NotAvailable;
import verity.actors.protocol.WeightsProtocol.WeightsChunk;
import verity.actors.weights.FlatWeights;

class PolicyStoreTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "store",
          VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));

  static {
    VerityNode.joinSelf(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static FlatWeights weights(long version, int values) {
    float[] v = new float[values];
    for (int i = 0; i < values; i++) {
      v[i] = version * 1000 + i;
    }
    return FlatWeights.of(PolicyVersion.of(version), List.of("w"), List.of(new int[] {values}), v);
  }

  static ActorRef<WeightsProtocol.Command> storeRef() {
    TestProbe<Receptionist.Listing> listing = testKit.createTestProbe();
    return listing.awaitAssert(
        () -> {
          testKit
              .system()
              .receptionist()
              .tell(Receptionist.find(ServiceKeys.POLICY_STORE, listing.getRef()));
          var found = listing.receiveMessage().getServiceInstances(ServiceKeys.POLICY_STORE);
          assertEquals(1, found.size());
          return found.iterator().next();
        });
  }

  @Test
  void shouldServeTheAskedWindowCutFromItsOneCopyAndRefuseAReplacedVersion() {
    ActorRef<PolicyStore.Command> store = testKit.spawn(PolicyStore.create(10));
    FlatWeights v1 = weights(1, 95); // 10 chunks, the last of 5 values
    store.tell(new PolicyStore.Publish(v1));
    ActorRef<WeightsProtocol.Command> requests = storeRef();
    TestProbe<WeightsProtocol.Delivery> replica = testKit.createTestProbe();

    requests.tell(new FetchLatest(PolicyVersion.INITIAL, 3, replica.getRef()));
    for (int i = 0; i < 3; i++) {
      WeightsChunk c = replica.expectMessageClass(WeightsChunk.class);
      assertEquals(i, c.index());
      assertEquals(10, c.count());
      assertEquals(1000f + i * 10, c.data()[0]);
    }
    replica.expectNoMessage(Duration.ofMillis(200));

    requests.tell(new FetchChunks(PolicyVersion.of(1), 8, 5, replica.getRef()));
    WeightsChunk eighth = replica.expectMessageClass(WeightsChunk.class);
    assertEquals(8, eighth.index());
    WeightsChunk last = replica.expectMessageClass(WeightsChunk.class);
    assertEquals(9, last.index());
    assertEquals(5, last.data().length);
    assertEquals(1094f, last.data()[4]);
    replica.expectNoMessage(Duration.ofMillis(200)); // nothing past the last chunk

    store.tell(new PolicyStore.Publish(weights(2, 95)));
    requests.tell(new FetchChunks(PolicyVersion.of(1), 3, 2, replica.getRef()));
    assertEquals(
        new NotAvailable(PolicyVersion.of(1), PolicyVersion.of(2)),
        replica.expectMessageClass(NotAvailable.class));
  }
}
