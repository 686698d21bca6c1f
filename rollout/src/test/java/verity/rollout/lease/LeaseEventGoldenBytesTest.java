package verity.rollout.lease;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.serialization.GoldenBytes;

/** The task source's journaled events and its snapshot keep their released bytes. */
class LeaseEventGoldenBytesTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "golden",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyPersistedEventAndTheSnapshotKeepTheirReleasedBytes() throws Exception {
    LeaseId big = new LeaseId(1L << 35);
    List<LeaseId> leases = List.of(new LeaseId(17), big);
    List<TaskId> tasks = List.of(new TaskId("3+4"), new TaskId("math-0042"));
    GoldenBytes.check(
        testKit.system(),
        List.of(LeaseEvent.class, LeaseBookSnapshot.class),
        List.of(
            new LeaseEvent.LeasesIssued(new LeaseId(17), tasks, 1, "node-1:rollout-0"),
            new LeaseEvent.LeasesSettled(leases, Settlement.REJECTED_STALE),
            new LeaseEvent.LeasesExpired(leases, LeaseEvent.ExpiryCause.RETURNED_BY_WORKER),
            new LeaseEvent.LeasesClaimed(leases, 3),
            new LeaseEvent.ClaimFloorRaised(4),
            new LeaseEvent.LeasesReopened(leases, tasks),
            new LeaseEvent.PauseChanged(true, "the console"),
            new LeaseBookSnapshot(
                new LeaseId(1L << 36),
                123_456,
                List.of(new LeaseBookSnapshot.OpenLease(big, new TaskId("9+9"))),
                List.of(new LeaseBookSnapshot.LeaseClaim(big, 2)),
                2,
                tasks,
                List.of(new LeaseId(5)),
                true)),
        LeaseEventGoldenBytesTest.class);
  }
}
