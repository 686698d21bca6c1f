package verity.learner.step;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.learner.checkpoint.CheckpointWriter;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.TrainingSample;

/**
 * Every step on the learner's own replica, on the given executor. A checkpoint is written from the
 * replica's tensors one at a time (no copy of the model on the heap) while the next step's forward
 * and backward passes run; that step's update waits for the write.
 */
public final class LocalStepRunner implements StepRunner {
  private final GrpoTrainer trainer;
  private final Executor executor;
  private final CheckpointWriter checkpoints;
  private final Runnable releaseServed;

  public LocalStepRunner(
      GrpoTrainer trainer,
      Executor executor,
      CheckpointWriter checkpoints,
      Runnable releaseServed) {
    this.trainer = trainer;
    this.executor = executor;
    this.checkpoints = checkpoints;
    this.releaseServed = releaseServed;
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
          return StepRunner.publish(m, trainer, next, checkpoint, checkpoints, releaseServed);
        },
        executor);
  }
}
