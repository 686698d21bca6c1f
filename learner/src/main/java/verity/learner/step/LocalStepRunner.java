package verity.learner.step;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.TrainingSample;

/** Every step on the learner's own replica, on the given executor. */
public final class LocalStepRunner implements StepRunner {
  private final GrpoTrainer trainer;
  private final Executor executor;

  public LocalStepRunner(GrpoTrainer trainer, Executor executor) {
    this.trainer = trainer;
    this.executor = executor;
  }

  @Override
  public CompletableFuture<StepResult> step(
      long step,
      PolicyVersion at,
      PolicyVersion next,
      List<TrainingSample> samples,
      boolean checkpoint) {
    return CompletableFuture.supplyAsync(
        () -> {
          StepMetrics m = trainer.step(samples);
          return new StepResult(
              m, trainer.export(next), checkpoint ? trainer.checkpoint(next) : null);
        },
        executor);
  }
}
