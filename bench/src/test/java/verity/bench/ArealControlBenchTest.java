package verity.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** The arms of AReaL's control differ only in their staleness bound, window and objective. */
class ArealControlBenchTest {

  @Test
  void shouldGiveEachArmItsBoundItsWindowAndItsObjectiveOverTheSameWorkload() {
    Config decoupled = ConfigFactory.parseString(ArealControlBench.settings(32, "decoupled-ppo"));
    assertEquals(32, decoupled.getInt("verity.learner.max-staleness"));
    assertEquals(32 * 32, decoupled.getInt("verity.rollout.max-outstanding-tasks"));
    assertEquals("decoupled-ppo", decoupled.getString("verity.learner.objective"));
    assertEquals("filter", decoupled.getString("verity.learner.behaviour-weight"));

    Config ppo = ConfigFactory.parseString(ArealControlBench.settings(16, "ppo"));
    assertEquals("ppo", ppo.getString("verity.learner.objective"));
    assertFalse(ppo.hasPath("verity.learner.behaviour-weight"));
    assertEquals(16 * 32, ppo.getInt("verity.rollout.max-outstanding-tasks"));

    Config lockStep = ConfigFactory.parseString(ArealControlBench.settings(0, "ppo"));
    assertEquals(0, lockStep.getInt("verity.learner.max-staleness"));
    assertEquals(32, lockStep.getInt("verity.rollout.max-outstanding-tasks"), "one batch");

    for (Config arm : new Config[] {decoupled, ppo, lockStep}) {
      assertEquals(4, arm.getInt("verity.learner.minibatches"));
      assertEquals(8, arm.getInt("verity.rollout.workers"));
      assertEquals("lognormal", arm.getString("verity.rollout.added-episode-time.distribution"));
    }
  }
}
