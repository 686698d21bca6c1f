package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import verity.envs.Split;
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

  /** A probe on the training-events topic, and a policy store that serves v3 to whoever asks. */
  private TestProbe<TrainingEvent> trainingEventsWithV3Served() {
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
    return events;
  }

  @Test
  void shouldRestartWhenAnEvaluationFailsAndEvaluateAgain() {
    TestProbe<TrainingEvent> events = trainingEventsWithV3Served();
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
    assertEquals(suite.split(Split.TEST).tasks().size(), done.tasks());
    assertEquals("train", done.split(), "arith holds nothing out: a training-set score");
  }

  @Test
  void shouldEvaluateTestAndValidationFirstThenTestOnlyOnRequest() {
    TestProbe<TrainingEvent> events = trainingEventsWithV3Served();
    ArithmeticSuite suite = new ArithmeticSuite("tiny", 9, 5, false);
    ActorRef<Evaluator.Command> evaluator =
        testKit.spawn(
            Evaluator.create(
                suite,
                suite::check,
                10,
                () -> Policy.create(RolloutWorkerTest.SPEC, Device.cpu(), 1)));

    Map<String, TrainingEvent.EvaluationCompleted> first = new HashMap<>();
    events.fishForMessage(
        RolloutWorkerTest.WAIT.multipliedBy(2),
        e -> {
          if (e instanceof TrainingEvent.EvaluationCompleted ev) {
            first.put(ev.purpose(), ev);
            return first.size() == 2
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore();
          }
          return FishingOutcomes.continueAndIgnore();
        });
    for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
      TrainingEvent.EvaluationCompleted ev = first.get(s.label());
      assertEquals(s.label(), ev.split(), "held-out tasks carry their own split's label");
      assertEquals(suite.split(s).tasks().size(), ev.tasks());
      assertEquals(3, ev.version().value());
    }

    TestProbe<TrainingEvent.EvaluationCompleted> asker = testKit.createTestProbe();
    evaluator.tell(new Evaluator.Evaluate(PolicyVersion.of(3), Split.TEST, asker.getRef()));
    TrainingEvent.EvaluationCompleted answer = asker.receiveMessage(RolloutWorkerTest.WAIT);
    assertEquals("test", answer.purpose());
    assertEquals(first.get("test").passAt1(), answer.passAt1());
  }
}
