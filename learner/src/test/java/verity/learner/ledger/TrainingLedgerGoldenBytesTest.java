package verity.learner.ledger;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.serialization.GoldenBytes;
import verity.learner.checkpoint.CheckpointRef;

/** The learner journal's events keep the bytes they were released with (see GoldenBytes). */
class TrainingLedgerGoldenBytesTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "golden",
            VerityNode.load(
                com.typesafe.config.ConfigFactory.parseString(
                    "akka.remote.artery.canonical.port = 0")));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyPersistedEventKeepsItsReleasedBytes() throws Exception {
    PolicyVersion v = new PolicyVersion(2, 1_234);
    List<LeaseId> leases = List.of(new LeaseId(7), new LeaseId(1L << 40));
    GoldenBytes.check(
        testKit.system(),
        List.of(TrainingLedger.Event.class),
        List.of(
            new TrainingLedger.RunStarted("arith"),
            new TrainingLedger.StepApplied(v, leases, List.of(new TaskId("3+4"), new TaskId("x"))),
            new TrainingLedger.StepsSettled(List.of(v, PolicyVersion.of(9))),
            new TrainingLedger.CheckpointRecorded(
                new CheckpointRef(v, "/data/checkpoints/ckpt-000001234-e2.bin", 0xCAFEBABEL)),
            new TrainingLedger.ResumedFromCheckpoint(PolicyVersion.of(1_200), 2),
            new TrainingLedger.ReopensAcknowledged(leases)),
        TrainingLedgerGoldenBytesTest.class);
  }
}
