package verity.deploy.run;

import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.learner.DemonstrationSource;

/** Demonstrations drawn from a suite's training stream (never its validation or test tasks). */
final class SuiteDemonstrations implements DemonstrationSource {
  private final Suite suite;
  private final TaskGenerator generator;

  SuiteDemonstrations(Suite suite, long seed) {
    this.suite = suite;
    this.generator = suite.generator(seed);
  }

  @Override
  public Demonstrations next(int n) {
    int[][] prompts = new int[n][];
    int[][] completions = new int[n][];
    for (int i = 0; i < n; i++) {
      Task t = generator.next();
      prompts[i] = t.prompt();
      completions[i] =
          suite
              .demonstration(t)
              .orElseThrow(() -> new IllegalStateException("no demonstration for " + t.id()));
    }
    return new Demonstrations(prompts, completions);
  }
}
