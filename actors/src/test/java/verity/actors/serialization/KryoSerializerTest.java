package verity.actors.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.SerializationExtension;
import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.VerityMessage;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Segment;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.weights.plane.PlaneAddress;

class KryoSerializerTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "kryo",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Trajectory trajectory() {
    return new Trajectory(
        new TrajectoryId(new LeaseId(7), 3),
        "arith",
        new TaskId("3+4"),
        16,
        new int[] {5, 13, 6, 14},
        new int[] {10, 2},
        new boolean[] {true, true},
        new float[] {-0.5f, -0.01f},
        "7",
        List.of(new Segment(0, 1, PolicyVersion.of(4)), new Segment(1, 1, PolicyVersion.of(5))),
        "rollout-0");
  }

  @Test
  void shouldRoundTripATrajectoryBatchThroughKryo() {
    var batch =
        new LearnerProtocol.ScoredBatch(
            List.of(new ScoredTrajectory(trajectory(), new Verdict(1.0, Verdict.Reason.CORRECT))));
    assertEquals(
        KryoSerializer.IDENTIFIER, SerializationRoundTrip.serializerId(testKit.system(), batch));
    Object back = SerializationRoundTrip.roundTrip(testKit.system(), batch);
    assertTrue(SerializationRoundTrip.deepEquals(batch, back), "round trip changed " + back);
  }

  @Test
  void shouldRoundTripATrajectoryWithObservationsAndSeveralVersions() {
    int n = 19; // not a multiple of 8: the mask's last byte is partial
    int[] tokens = new int[n];
    boolean[] mask = new boolean[n];
    float[] logProbs = new float[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = i * 37 % 300;
      mask[i] = i % 3 != 1;
      logProbs[i] = mask[i] ? -0.1f * i : 0f;
    }
    var t =
        new Trajectory(
            new TrajectoryId(new LeaseId(1L << 40), 15),
            "python-code",
            new TaskId("mbpp-17"),
            8,
            new int[] {1, 2, 300_000},
            tokens,
            mask,
            logProbs,
            "def f(x):\n  return x  # é",
            List.of(
                new Segment(0, 10, new PolicyVersion(2, 41)),
                new Segment(10, 9, new PolicyVersion(2, 42))),
            "rollout-3@10.0.0.2:25520");
    TestProbe<VerifierProtocol.Reply> probe = testKit.createTestProbe();
    var batch = new VerifierProtocol.VerifyBatch(3, List.of(t, trajectory()), probe.getRef());
    var back =
        (VerifierProtocol.VerifyBatch) SerializationRoundTrip.roundTrip(testKit.system(), batch);
    assertEquals(batch.trajectories(), back.trajectories());
  }

  @Test
  void shouldRefuseATrajectoryThatDeclaresMoreTokensThanItsBytesHold() {
    Output out = new Output(64);
    out.writeVarInt(121 + 2, true); // Trajectory's registration, as Kryo writes a class id
    out.writeVarLong(7, true);
    out.writeVarInt(0, true);
    out.writeString("arith");
    out.writeString("t");
    out.writeVarInt(16, true);
    out.writeVarInt(1 << 30, true); // a billion prompt tokens, then nothing
    out.writeVarInt(5, true);
    var result =
        SerializationExtension.get(testKit.system())
            .deserialize(out.toBytes(), KryoSerializer.IDENTIFIER, "");
    assertTrue(result.isFailure(), "accepted " + result);
    String message = result.failed().get().getMessage();
    assertTrue(message.contains("prompt: 1073741824 declared"), message);
  }

  @Test
  void shouldCarryActorRefsThatStillReachTheirActor() {
    TestProbe<WeightsProtocol.Reply> probe = testKit.createTestProbe();
    var fetch =
        new WeightsProtocol.FetchLatest(
            PolicyVersion.of(2), new PlaneAddress("10.1.2.3", 4100), probe.getRef());
    var back =
        (WeightsProtocol.FetchLatest) SerializationRoundTrip.roundTrip(testKit.system(), fetch);
    assertEquals(fetch.relay(), back.relay());
    back.replyTo().tell(new WeightsProtocol.NotAvailable(PolicyVersion.of(2), null));
    probe.expectMessage(new WeightsProtocol.NotAvailable(PolicyVersion.of(2), null));
  }

  /** Implements the marker but is registered nowhere. */
  record Unregistered(int x) implements VerityMessage {}

  @Test
  void shouldRefuseAMessageThatIsNotRegistered() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SerializationRoundTrip.roundTrip(testKit.system(), new Unregistered(1)));
    assertTrue(e.getMessage().contains("Unregistered"), e.getMessage());
  }

  @Test
  void shouldFailAtStartOnARegistrationOfAMissingClass() {
    var config =
        VerityNode.load(
            ConfigFactory.parseString(
                "akka.remote.artery.canonical.port = 0\n"
                    + KryoRegistrations.PATH
                    + " { \"verity.NoSuchMessage\" = 999 }"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> KryoRegistrations.from(config, getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("verity.NoSuchMessage"), e.getMessage());
  }

  @Test
  void shouldFailAtStartOnADuplicateId() {
    var config =
        VerityNode.load(
            ConfigFactory.parseString(KryoRegistrations.PATH + " { \"java.lang.Integer\" = 110 }"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> KryoRegistrations.from(config, getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("already used"), e.getMessage());
  }

  @Test
  void shouldRefuseToStartASystemWithABadRegistration() {
    var config =
        VerityNode.load(
            ConfigFactory.parseString(
                "akka.remote.artery.canonical.port = 0\n"
                    + KryoRegistrations.PATH
                    + " { \"verity.NoSuchMessage\" = 999 }"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ActorSystem.create(Behaviors.empty(), "bad-kryo", config).terminate());
    assertTrue(e.getMessage().contains("verity.NoSuchMessage"), e.getMessage());
  }
}
