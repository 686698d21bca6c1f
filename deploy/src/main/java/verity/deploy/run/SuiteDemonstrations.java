package verity.deploy.run;

import java.util.Arrays;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.learner.DemonstrationSource;
import verity.policy.Tokenizer;

/**
 * Demonstrations drawn from a suite's training stream (never its validation or test tasks), in the
 * policy's tokens: the prompt as the policy reads it, the reference text encoded, and for a
 * single-turn suite the end-of-sequence that ends its one action (a multi-turn demonstration is a
 * run of actions, each a token of its own).
 */
final class SuiteDemonstrations implements DemonstrationSource {
  private final Suite suite;
  private final Tokenizer tokenizer;
  private final TaskGenerator generator;

  SuiteDemonstrations(Suite suite, Tokenizer tokenizer, long seed) {
    this.suite = suite;
    this.tokenizer = tokenizer;
    this.generator = suite.generator(seed);
  }

  @Override
  public Demonstrations next(int n) {
    int[][] prompts = new int[n][];
    int[][] completions = new int[n][];
    for (int i = 0; i < n; i++) {
      Task t = generator.next();
      prompts[i] = tokenizer.promptIds(t.prompt());
      String text =
          suite
              .demonstration(t)
              .orElseThrow(() -> new IllegalStateException("no demonstration for " + t.id()));
      int[] ids = tokenizer.encode(text);
      if (suite.horizon() == 1) {
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = tokenizer.eosToken();
      }
      completions[i] = ids;
    }
    return new Demonstrations(prompts, completions);
  }
}
