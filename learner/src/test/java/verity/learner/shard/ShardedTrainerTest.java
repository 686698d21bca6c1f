package verity.learner.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.TrainingDispatcher;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.PolicyVersion;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.NonFiniteLossException;
import verity.learner.grpo.Objective;
import verity.learner.grpo.TrainingSample;
import verity.learner.optim.Optimization;
import verity.policy.CharacterTokenizer;
import verity.policy.Policy;
import verity.policy.PolicySpec;

/**
 * Learner shards are real Cluster Sharding entities on a single-node cluster with every message
 * serialized: a batch split across 1, 2 or 3 replicas gives the same weights as the whole batch on
 * one, within float tolerance, and every shard ends bit-identical to the coordinator.
 */
class ShardedTrainerTest {
  static final PolicySpec SPEC =
      new PolicySpec(
          new CharacterTokenizer(
              List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=")),
          5,
          3,
          16,
          32,
          1);
  static final Objective OBJECTIVE = new Objective(Objective.Kind.PPO, 0.2, 0.0, 2.0, 1f);
  static final int STEPS = 4;

  static ActorTestKit testKit;
  static Executor training;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "shards",
            VerityNode.load(
                ConfigFactory.parseMap(Map.of("akka.remote.artery.canonical.port", 0))));
    VerityNode.joinSelf(testKit.system());
    LearnerShard.init(testKit.system(), () -> Policy.create(SPEC, Device.cpu(), 1));
    training = TrainingDispatcher.executor(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A batch of 12 completions with behaviour log-probs from the policy and mixed advantages. */
  static List<TrainingSample> batch(Policy policy, int step) {
    SplittableRandom random = new SplittableRandom(step);
    List<TrainingSample> out = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      int[] prompt = {3 + random.nextInt(10), 13, 3 + random.nextInt(10), 14};
      int length = 1 + random.nextInt(3);
      int[] completion = new int[length];
      for (int t = 0; t < length - 1; t++) {
        completion[t] = 3 + random.nextInt(10);
      }
      completion[length - 1] = 2;
      float[] behaviour =
          policy.logProbs(new int[][] {prompt}, new int[][] {completion}, 1f)[0].clone();
      for (int t = 0; t < behaviour.length; t++) {
        behaviour[t] -= (float) (random.nextDouble() * 0.3); // a slightly stale behaviour policy
      }
      float advantage = (float) (random.nextDouble() * 2 - 1);
      out.add(TrainingSample.completion(prompt, completion, behaviour, advantage, 1f, 0.5, 1));
    }
    return out;
  }

  /** Trains STEPS steps with the batch split across {@code shards} replicas; the final weights. */
  static float[] train(int shards) throws Exception {
    return train(shards, OBJECTIVE, 1000L * shards);
  }

  static float[] train(int shards, Objective objective, long firstVersion) throws Exception {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 1)) {
      GrpoTrainer local = new GrpoTrainer(policy, objective, 1e-2, 1.0);
      ShardedTrainer trainer =
          new ShardedTrainer(
              testKit.system(),
              local,
              shards,
              training,
              Duration.ofSeconds(30),
              objective,
              Optimization.constant(1e-2, 1.0));
      PolicyVersion v = PolicyVersion.of(firstVersion); // fresh versions: shards load first
      for (int s = 1; s <= STEPS; s++) {
        List<TrainingSample> samples = batch(policy, s);
        ShardedTrainer.Result r =
            trainer.step(s, v, v.next(), samples).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(12, r.metrics().trajectories());
        assertEquals(local.weightsChecksum(), r.checksum());
        v = v.next();
      }
      assertEquals(0, trainer.mismatches(), "every shard ended identical to the coordinator");
      return local.export(v).values().flatten();
    }
  }

  @Test
  void shouldGiveTheSameWeightsWithOneTwoOrThreeShards() throws Exception {
    float[] one = train(1);
    float[] two = train(2);
    float[] three = train(3);
    assertArrayEquals(one, two, 1e-5f, "two shards vs one");
    assertArrayEquals(one, three, 1e-5f, "three shards vs one");
    float[] initial;
    try (Policy p = Policy.create(SPEC, Device.cpu(), 1)) {
      initial = p.exportWeights(p.version()).values().flatten();
    }
    double moved = 0;
    for (int i = 0; i < one.length; i++) {
      moved = Math.max(moved, Math.abs(one[i] - initial[i]));
    }
    assertTrue(moved > 1e-3, "the steps changed the weights: " + moved);
  }

  /**
   * AReaL's filter drops tokens in each slice; the reduced gradient is rescaled from the batch's
   * tokens to the tokens kept, so the shards train exactly as one replica stepping alone.
   */
  @Test
  void shouldDropTheSameTokensAndNormalizeLikeOneReplicaWithTheFilter() throws Exception {
    // A cap of 1.15 drops the tokens whose behaviour log-prob is more than 0.14 below the policy's.
    Objective filter =
        new Objective(Objective.Kind.DECOUPLED_PPO, 0.2, 0.0, 1.15, 1f)
            .withBehaviourWeight(Objective.BehaviourWeight.FILTER);
    float[] alone;
    double dropped = 0;
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 1)) {
      GrpoTrainer trainer = new GrpoTrainer(policy, filter, 1e-2, 1.0);
      for (int s = 1; s <= STEPS; s++) {
        dropped += trainer.step(batch(policy, s)).droppedFraction();
      }
      alone = trainer.export(PolicyVersion.INITIAL).values().flatten();
    }
    assertTrue(dropped / STEPS > 0.1 && dropped / STEPS < 0.9, "some tokens dropped: " + dropped);
    assertArrayEquals(alone, train(2, filter, 7000), 1e-5f, "two shards vs one replica alone");
  }

  @Test
  void shouldSkipANonFiniteStepOnEveryReplica() throws Exception {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 1)) {
      GrpoTrainer local = new GrpoTrainer(policy, OBJECTIVE, 1e-2, 1.0);
      ShardedTrainer trainer =
          new ShardedTrainer(
              testKit.system(),
              local,
              2,
              training,
              Duration.ofSeconds(30),
              OBJECTIVE,
              Optimization.constant(1e-2, 1.0));
      PolicyVersion v = PolicyVersion.of(5000);
      List<TrainingSample> samples = new ArrayList<>(batch(policy, 1));
      TrainingSample last = samples.get(11);
      samples.set(
          11,
          new TrainingSample(
              last.prompt(),
              last.tokens(),
              last.sampled(),
              last.behaviourLogProbs(),
              Float.NaN,
              last.weight(),
              last.reward(),
              last.staleness()));
      long before = local.weightsChecksum();
      CompletionException e =
          assertThrows(
              CompletionException.class,
              () -> trainer.step(1, v, v.next(), samples).toCompletableFuture().join());
      assertTrue(e.getCause() instanceof NonFiniteLossException, e.toString());
      assertEquals(before, local.weightsChecksum(), "the coordinator's weights are unchanged");
      assertEquals(1, local.skipped());
      // The shard was not changed either: the next good step leaves every replica identical.
      ShardedTrainer.Result r =
          trainer
              .step(2, v, v.next(), batch(policy, 2))
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      assertEquals(local.weightsChecksum(), r.checksum());
      assertEquals(0, trainer.mismatches());
    }
  }
}
