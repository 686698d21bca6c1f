package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.weights.WeightsChunker;
import verity.envs.arith.ArithmeticSuite;
import verity.policy.Policy;
import verity.policy.PolicySpec;

/** A rollout worker generates nothing before it holds a version from the policy store. */
class RolloutWorkerTest {
  static final PolicySpec SPEC = new PolicySpec(15, 0, 1, 2, 5, 3, 16, 32, 1);
  static final Duration WAIT = Duration.ofSeconds(20);

  ActorTestKit testKit;

  @BeforeEach
  void start() {
    testKit =
        ActorTestKit.create(
            "worker",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(testKit.system());
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldLeaseNoTaskBeforeItHoldsAVersionFromTheStore() {
    TestProbe<TaskSource.Command> source = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(TaskSource.SERVICE_KEY, source.getRef()));
    testKit.spawn(
        RolloutWorker.create(
            "w",
            ArithmeticSuite.singleDigit(),
            new RolloutSettings(1, 2, 1, 8, Duration.ofMinutes(1), 10),
            1f,
            1,
            () -> Policy.create(SPEC, Device.cpu(), 1)));
    // A task source is there, but no policy store: its initial replica must not generate.
    source.expectNoMessage(Duration.ofSeconds(3));

    TestProbe<WeightsProtocol.Command> store = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
    FetchLatest fetch = store.expectMessageClass(FetchLatest.class, WAIT);
    try (Policy learner = Policy.create(SPEC, Device.cpu(), 7)) {
      WeightsChunker.split(learner.exportWeights(new PolicyVersion(42)), 4096)
          .forEach(fetch.replyTo()::tell);
    }
    TaskSource.RequestTasks request =
        source.expectMessageClass(TaskSource.RequestTasks.class, WAIT);
    assertEquals("w", request.worker());
  }
}
