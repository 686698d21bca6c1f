package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import verity.deploy.run.RunPlan;
import verity.envs.Suites;
import verity.policy.CharacterTokenizer;
import verity.policy.Tokenizer;

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

  @Test
  void shouldCapTheTokensATurnMayTakeButNeverRaiseThem() {
    Map<String, Object> python = Map.of("verity.suite", "python-code");
    assertEquals(512, RunPlan.from(VerityConfig.load(python, null)).spec().maxCompletionTokens());
    Map<String, Object> capped = new java.util.HashMap<>(python);
    capped.put("verity.policy.max-completion-tokens", 64);
    assertEquals(64, RunPlan.from(VerityConfig.load(capped, null)).spec().maxCompletionTokens());
    capped.put("verity.policy.max-completion-tokens", 4096);
    assertEquals(512, RunPlan.from(VerityConfig.load(capped, null)).spec().maxCompletionTokens());
    capped.put("verity.policy.max-completion-tokens", -1);
    ConfigException e =
        assertThrows(ConfigException.class, () -> RunPlan.from(VerityConfig.load(capped, null)));
    assertTrue(e.getMessage().contains("verity.policy.max-completion-tokens"), e.getMessage());
  }

  @Test
  void shouldRefuseAModelDirectoryForTheGru() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RunPlan.from(
                    VerityConfig.load(
                        Map.of("verity.policy.kind", "gru", "verity.policy.model", "/m"), null)));
    assertTrue(e.getMessage().contains("verity.policy.model"), e.getMessage());
  }

  @Test
  void shouldMapASuitesActionsToOneTokenEachOrRefuseNamingTheAction() {
    var gridworld = Suites.byName("gridworld");
    CharacterTokenizer characters = new CharacterTokenizer(gridworld.alphabet());
    assertArrayEquals(new int[] {3, 4, 5, 6}, RunPlan.actionTokens(gridworld, characters));

    Tokenizer twoPerCharacter =
        new Tokenizer() {
          @Override
          public int vocabSize() {
            return 100;
          }

          @Override
          public int padToken() {
            return 0;
          }

          @Override
          public int bosToken() {
            return 1;
          }

          @Override
          public int eosToken() {
            return 2;
          }

          @Override
          public int[] encode(String text) {
            return new int[] {7, 8};
          }

          @Override
          public String decode(int[] ids) {
            return "";
          }
        };
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RunPlan.actionTokens(gridworld, twoPerCharacter));
    assertTrue(e.getMessage().contains("action 'N' is 2 tokens"), e.getMessage());
  }
}
