package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.envs.Split;
import verity.envs.Suite;
import verity.envs.Suites;
import verity.envs.Task;
import verity.envs.arith.ArithmeticSuite;
import verity.envs.gridworld.GridworldSuite;
import verity.policy.CharacterTokenizer;
import verity.policy.Policy;
import verity.policy.PolicySpec;
import verity.policy.Tokenizer;
import verity.policy.transformer.LanguageModel;
import verity.policy.transformer.TransformerConfig;
import verity.policy.transformer.TransformerPolicy;

/**
 * The runner stands between a suite's text and a policy's tokens: prompts and observations encoded
 * by the policy's tokenizer, actions decoded for the environment, the completion's text the actions
 * alone; the same suite runs under a character tokenizer and under a byte-level one.
 */
class EpisodeRunnerTest {
  @TempDir Path dir;

  @Test
  void shouldFeedObservationsAsTokensAndWriteOnlyTheActionsAsTheCompletion() {
    Suite suite = GridworldSuite.small();
    CharacterTokenizer tokenizer = new CharacterTokenizer(suite.alphabet());
    int[] moves = new int[suite.actions().size()];
    for (int i = 0; i < moves.length; i++) {
      moves[i] = tokenizer.encode(suite.actions().get(i))[0];
    }
    PolicySpec spec =
        new PolicySpec(
            tokenizer, suite.maxPromptTokens(), suite.maxCompletionTokens(), 8, 16, 1, moves);
    List<Task> tasks = suite.split(Split.TRAIN).tasks().subList(0, 4);
    try (Policy policy = Policy.create(spec, Device.cpu(), 2)) {
      List<EpisodeRunner.Result> results =
          EpisodeRunner.run(
              policy, suite, tasks, new long[4], 1f, new SplittableRandom(3), () -> null);
      for (int i = 0; i < tasks.size(); i++) {
        EpisodeRunner.Result r = results.get(i);
        assertArrayEquals(tokenizer.promptIds(tasks.get(i).prompt()), r.prompt());
        int[] actions = r.episode().actions();
        assertEquals(tokenizer.decode(actions), r.completion());
        assertEquals(actions.length, r.completion().length(), "one move character per turn");
        assertTrue(r.completion().chars().allMatch(c -> "NSWE".indexOf(c) >= 0), r.completion());
        int observed = r.episode().tokens().length - actions.length;
        assertTrue(observed > 0 || actions.length == 1, "observations were fed between turns");
      }
    }
  }

  @Test
  void shouldCutATurnAtThePolicysLimitWhereItIsBelowTheSuites() {
    Suite suite = Suites.byName("math");
    CharacterTokenizer tokenizer = new CharacterTokenizer(suite.alphabet());
    int cap = 5;
    assertTrue(suite.maxCompletionTokens() > cap);
    PolicySpec spec = new PolicySpec(tokenizer, suite.maxPromptTokens(), cap, 8, 16, 1);
    List<Task> tasks = suite.split(Split.TRAIN).tasks().subList(0, 8);
    try (Policy policy = Policy.create(spec, Device.cpu(), 2)) {
      List<EpisodeRunner.Result> results =
          EpisodeRunner.run(
              policy, suite, tasks, new long[8], 1f, new SplittableRandom(3), () -> null);
      int longest = 0;
      for (EpisodeRunner.Result r : results) {
        longest = Math.max(longest, r.episode().actions().length);
      }
      assertEquals(cap, longest, "a fresh policy rarely ends early: some turn reaches the limit");
    }
  }

  @Test
  void shouldRunTheSameSuiteTextUnderAByteLevelTokenizer() throws Exception {
    TransformerConfig config =
        TransformerConfig.builder(TransformerConfig.LLAMA)
            .vocabSize(260)
            .hiddenSize(32)
            .intermediateSize(64)
            .layers(1)
            .heads(4, 2)
            .specialTokens(-1, List.of(LanguageModel.FRESH_END_OF_TEXT))
            .build();
    LanguageModel.writeFresh(dir, config, 1);
    Tokenizer tokenizer = LanguageModel.loadTokenizer(dir, true);
    Suite suite = ArithmeticSuite.singleDigit();
    PolicySpec spec =
        new PolicySpec(tokenizer, suite.maxPromptTokens(), suite.maxCompletionTokens(), 1, 1, 1);
    List<Task> tasks = suite.split(Split.TEST).tasks().subList(0, 3);
    try (Policy policy = TransformerPolicy.load(spec, dir, Device.cpu())) {
      List<EpisodeRunner.Result> results =
          EpisodeRunner.run(
              policy, suite, tasks, new long[3], 1f, new SplittableRandom(5), () -> null);
      for (int i = 0; i < tasks.size(); i++) {
        EpisodeRunner.Result r = results.get(i);
        // The byte-level tokenizer without merges: the prompt's ids are its bytes.
        byte[] bytes = tasks.get(i).prompt().getBytes(StandardCharsets.UTF_8);
        int[] expected = new int[bytes.length];
        for (int b = 0; b < bytes.length; b++) {
          expected[b] = bytes[b] & 0xff;
        }
        assertArrayEquals(expected, r.prompt());
        assertEquals(tokenizer.decode(r.episode().actions()), r.completion());
        // What the verifier judges is that text, whatever it says.
        suite.check(tasks.get(i), r.completion());
      }
    }
  }
}
