package verity.learner.step;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.ids.PolicyVersion;
import verity.learner.checkpoint.CheckpointWriter;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.TrainingSample;
import verity.learner.shard.ShardedTrainer;

/**
 * Every step split across learner shards ({@link ShardedTrainer}); the learner's own replica is the
 * authoritative one, so the published weights and checkpoints come from it, on the training
 * executor.
 */
public final class ShardedStepRunner implements StepRunner {
  private final ShardedTrainer sharded;
  private final GrpoTrainer coordinator;
  private final Executor training;
  private final CheckpointWriter checkpoints;
  private final Runnable releaseServed;

  public ShardedStepRunner(
      ShardedTrainer sharded,
      GrpoTrainer coordinator,
      Executor training,
      CheckpointWriter checkpoints,
      Runnable releaseServed) {
    this.sharded = sharded;
    this.coordinator = coordinator;
    this.training = training;
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
    return sharded
        .step(step, at, next, samples)
        .toCompletableFuture()
        .thenApplyAsync(
            r ->
                StepRunner.publish(
                    r.metrics(), coordinator, next, checkpoint, checkpoints, releaseServed),
            training);
  }
}
