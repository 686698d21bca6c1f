package verity.rollout.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static verity.rollout.lease.LeaseBookTest.lease;
import static verity.rollout.lease.LeaseBookTest.leases;
import static verity.rollout.lease.LeaseBookTest.tasks;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.VerityNode;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.serialization.KryoSerializer;
import verity.actors.serialization.SerializationRoundTrip;
import verity.rollout.lease.LeaseEvent.ClaimFloorRaised;
import verity.rollout.lease.LeaseEvent.ExpiryCause;
import verity.rollout.lease.LeaseEvent.LeasesClaimed;
import verity.rollout.lease.LeaseEvent.LeasesExpired;
import verity.rollout.lease.LeaseEvent.LeasesIssued;
import verity.rollout.lease.LeaseEvent.LeasesReopened;
import verity.rollout.lease.LeaseEvent.LeasesSettled;
import verity.rollout.lease.LeaseEvent.PauseChanged;

/** Every lease event and a full snapshot go through the journal's serializer and come back. */
class LeaseEventSerializationTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "lease-events",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldRoundTripEveryEventAndASnapshotThroughKryo() {
    LeaseBook book = new LeaseBook();
    List<LeaseEvent> events =
        List.of(
            new LeasesIssued(lease(1), tasks("a", "b", "c", "d"), 0, "w"),
            new LeasesClaimed(leases(1, 2), 3),
            new LeasesSettled(leases(1), Settlement.REJECTED_STALE),
            new LeasesExpired(leases(3), ExpiryCause.RETURNED_BY_WORKER),
            new LeasesReopened(leases(1), tasks("a")),
            new ClaimFloorRaised(2),
            new PauseChanged(true, "op"));
    for (LeaseEvent e : events) {
      assertEquals(
          KryoSerializer.IDENTIFIER, SerializationRoundTrip.serializerId(testKit.system(), e));
      assertEquals(e, SerializationRoundTrip.roundTrip(testKit.system(), e));
      book.apply(e);
    }
    LeaseBookSnapshot snapshot = book.toSnapshot();
    assertEquals(1, snapshot.claims().size());
    assertEquals(snapshot, SerializationRoundTrip.roundTrip(testKit.system(), snapshot));
  }
}
