package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.VerityNode;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.Verdict;
import verity.actors.protocol.VerifierProtocol;
import verity.envs.arith.ArithmeticSuite;

class RewardVerifierTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "reward",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldScoreABatchAndPassItToTheLearnerOnceOneIsKnown() {
    testKit.spawn(RewardVerifier.create("verifier-0", ArithmeticSuite.singleDigit()));
    TestProbe<Receptionist.Listing> listing = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.VERIFIERS, listing.getRef()));
    Set<ActorRef<VerifierProtocol.Command>> verifiers = Set.of();
    while (verifiers.isEmpty()) {
      verifiers =
          listing.receiveMessage(Duration.ofSeconds(10)).getServiceInstances(ServiceKeys.VERIFIERS);
    }
    int[] prompt = ArithmeticSuite.singleDigit().lookup("3+4").prompt();
    verifiers
        .iterator()
        .next()
        .tell(
            new VerifierProtocol.VerifyBatch(
                List.of(
                    TrajectoryScorerTest.trajectory("arith", "3+4", prompt, "7"),
                    TrajectoryScorerTest.trajectory("arith", "3+4", prompt, "9"))));

    // No learner yet: the verdicts wait. Then one registers and receives them.
    TestProbe<LearnerProtocol.Command> learner = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.LEARNER, learner.getRef()));
    LearnerProtocol.ScoredBatch scored =
        learner.expectMessageClass(LearnerProtocol.ScoredBatch.class, Duration.ofSeconds(10));
    assertEquals(2, scored.scored().size());
    assertEquals(Verdict.Reason.CORRECT, scored.scored().get(0).verdict().reason());
    assertEquals(Verdict.Reason.WRONG, scored.scored().get(1).verdict().reason());
  }
}
