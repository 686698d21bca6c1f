package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.TrainingEvent;
import verity.actors.weights.FlatWeights;
import verity.envs.CheckResult;
import verity.envs.arith.ArithmeticSuite;
import verity.policy.Policy;

/** Each test gets its own actor system, so that only its own policy store is registered. */
class EvaluatorTest {
  ActorTestKit testKit;

  @BeforeEach
  void start() {
    testKit =
        ActorTestKit.create(
            "evaluator",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(testKit.system());
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldRestartWhenAnEvaluationFailsAndEvaluateAgain() {
    TestProbe<TrainingEvent> events = testKit.createTestProbe();
    testKit
        .spawn(Topic.create(TrainingEvent.class, Topics.TRAINING_EVENTS))
        .tell(Topic.subscribe(events.getRef()));
    FlatWeights v3;
    try (Policy learner = Policy.create(RolloutWorkerTest.SPEC, Device.cpu(), 7)) {
      v3 = learner.exportWeights(PolicyVersion.of(3));
    }
    testKit
        .system()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.POLICY_STORE, testKit.spawn(RolloutWorkerTest.serving(v3))));
    AtomicInteger checks = new AtomicInteger();
    var suite = ArithmeticSuite.singleDigit();
    testKit.spawn(
        Evaluator.create(
            suite,
            (task, text) -> {
              if (checks.incrementAndGet() == 1) {
                throw new IllegalStateException("checker broke (test)");
              }
              return CheckResult.wrong();
            },
            10,
            () -> Policy.create(RolloutWorkerTest.SPEC, Device.cpu(), 1)));

    TrainingEvent.EvaluationCompleted done =
        (TrainingEvent.EvaluationCompleted)
            events
                .fishForMessage(
                    RolloutWorkerTest.WAIT.multipliedBy(2),
                    e ->
                        e instanceof TrainingEvent.EvaluationCompleted
                            ? FishingOutcomes.complete()
                            : FishingOutcomes.continueAndIgnore())
                .get(0);
    assertEquals(3, done.version().value());
    assertEquals(suite.evaluationSet().size(), done.tasks());
  }
}
