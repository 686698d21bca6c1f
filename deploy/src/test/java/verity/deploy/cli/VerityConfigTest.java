package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;
import verity.deploy.run.RunPlan;

class VerityConfigTest {
  @Test
  void shouldApplyTheSuitePresetBelowFlags() {
    Config arith2 = VerityConfig.load(Map.of("verity.suite", "arith2"), null);
    assertEquals(300, arith2.getInt("verity.learner.warm-start.steps"));
    assertEquals(0.01, arith2.getDouble("verity.learner.entropy-coefficient"));

    Config overridden =
        VerityConfig.load(
            Map.of("verity.suite", "arith2", "verity.learner.warm-start.steps", 7), null);
    assertEquals(7, overridden.getInt("verity.learner.warm-start.steps"));
  }

  @Test
  void shouldLeaveOtherSuitesOnTheDefaults() {
    Config arith = VerityConfig.load(Map.of(), null);
    assertEquals("arith", arith.getString("verity.suite"));
    assertEquals(0, arith.getInt("verity.learner.warm-start.steps"));
    assertEquals(0.1, arith.getDouble("verity.learner.entropy-coefficient"));
  }

  @Test
  void shouldApplyThePolicyKindsPresetBelowTheSuitesAndFlags() {
    Config transformer = VerityConfig.load(Map.of("verity.policy.kind", "transformer"), null);
    assertEquals(0.01, transformer.getDouble("verity.learner.entropy-coefficient"));
    Config overridden =
        VerityConfig.load(
            Map.of("verity.policy.kind", "transformer", "verity.learner.entropy-coefficient", 0.05),
            null);
    assertEquals(0.05, overridden.getDouble("verity.learner.entropy-coefficient"));
    Config gridworld =
        VerityConfig.load(
            Map.of("verity.policy.kind", "transformer", "verity.suite", "gridworld"), null);
    assertEquals(8, gridworld.getInt("verity.learner.batch-groups"), "the suite's preset holds");
  }

  @Test
  void shouldValidateEveryDefaultSetting() {
    RunPlan plan = RunPlan.from(VerityConfig.load(Map.of(), null));
    assertEquals(15, plan.spec().vocabSize());
    assertEquals(plan.learner().batchGroups(), 32);
  }
}
