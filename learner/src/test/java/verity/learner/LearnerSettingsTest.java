package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import verity.learner.grpo.Objective;
import verity.learner.grpo.UpdateSchedule;

class LearnerSettingsTest {

  static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void shouldDefaultToOneUpdatePerBatchWithTruncationAndNoKlPenalty() {
    LearnerSettings s = LearnerSettings.from(with(""));
    assertEquals(new UpdateSchedule(1, 1, 1), s.updateSchedule());
    Objective o = s.rlObjective(1f);
    assertEquals(Objective.BehaviourWeight.TRUNCATE, o.behaviourWeight());
    assertEquals(0.0, o.klCoefficient());
  }

  @Test
  void shouldReadTheUpdatesTheFilterAndTheKlCoefficient() {
    LearnerSettings s =
        LearnerSettings.from(
            with(
                "verity.seed = 9, verity.learner { ppo-epochs = 4, minibatches = 2,"
                    + " behaviour-weight = filter, kl-coefficient = 0.05 }"));
    assertEquals(new UpdateSchedule(4, 2, 9), s.updateSchedule());
    Objective o = s.rlObjective(1f);
    assertEquals(Objective.BehaviourWeight.FILTER, o.behaviourWeight());
    assertEquals(0.05, o.klCoefficient());
  }

  @Test
  void shouldNameTheKeyOfABadValue() {
    ConfigException e =
        assertThrows(
            ConfigException.BadValue.class,
            () -> LearnerSettings.from(with("verity.learner.behaviour-weight = drop")));
    assertTrue(e.getMessage().contains("verity.learner.behaviour-weight"), e.getMessage());
    assertTrue(e.getMessage().contains("truncate, filter"), e.getMessage());
    ConfigException zero =
        assertThrows(
            ConfigException.BadValue.class,
            () -> LearnerSettings.from(with("verity.learner.ppo-epochs = 0")));
    assertTrue(zero.getMessage().contains("verity.learner.ppo-epochs"), zero.getMessage());
  }

  @Test
  void shouldBuildTheOptimizationAndRefuseACosineWithoutAnEnd() {
    LearnerSettings s =
        LearnerSettings.from(
            with(
                "verity.learner { lr-schedule = cosine, warmup-updates = 10, max-steps = 50,"
                    + " ppo-epochs = 2, weight-decay = 0.01, learning-rate = 1e-3 }"));
    verity.learner.optim.Optimization o = s.optimization();
    assertEquals(100, o.schedule().totalSteps(), "max-steps times the updates per step");
    assertEquals(0.01, o.weightDecay());
    assertEquals(1e-3, o.schedule().peak());
    assertEquals(1e-3 * 5 / 11, o.schedule().at(5), 1e-12, "warming up");
    ConfigException e =
        assertThrows(
            ConfigException.BadValue.class,
            () -> LearnerSettings.from(with("verity.learner.lr-schedule = cosine")));
    assertTrue(e.getMessage().contains("verity.learner.lr-decay-updates"), e.getMessage());
    ConfigException kind =
        assertThrows(
            ConfigException.BadValue.class,
            () -> LearnerSettings.from(with("verity.learner.lr-schedule = linear")));
    assertTrue(kind.getMessage().contains("constant, cosine"), kind.getMessage());
  }

  @Test
  void shouldRefuseSeveralUpdatesOrAKlPenaltyWithShards() {
    for (String key : new String[] {"ppo-epochs = 2", "minibatches = 4", "kl-coefficient = 0.1"}) {
      ConfigException e =
          assertThrows(
              ConfigException.BadValue.class,
              () -> LearnerSettings.from(with("verity.learner { shards = 2, " + key + " }")));
      String message = e.getMessage();
      assertTrue(message.contains("verity.learner.shards"), message);
      assertTrue(message.contains("verity.learner.ppo-epochs"), message);
      assertTrue(message.contains("verity.learner.minibatches"), message);
      assertTrue(message.contains("verity.learner.kl-coefficient"), message);
      assertTrue(!message.contains("\n"), "one line: " + message);
    }
    assertEquals(
        2,
        LearnerSettings.from(with("verity.learner { shards = 2, behaviour-weight = filter }"))
            .shards());
  }
}
