package verity.learner.step;

import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.actors.weights.FlatWeights;
import verity.learner.LearnerSettings;
import verity.learner.checkpoint.CheckpointRef;
import verity.learner.checkpoint.CheckpointWriter;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.Objective;
import verity.learner.grpo.TrainingSample;
import verity.learner.shard.ShardedTrainer;

/**
 * Runs the learner's gradient steps off the actor's thread: one replica ({@link LocalStepRunner})
 * or the batch split across learner shards ({@link ShardedStepRunner}). At most one step runs at a
 * time; the learner waits for each before it forms the next.
 */
public interface StepRunner {

  /**
   * What a step produced: its metrics, the new version's weights, and, when asked for, its
   * checkpoint being written (completes with what the journal should record, or fails).
   */
  record StepResult(
      StepMetrics metrics, FlatWeights weights, CompletableFuture<CheckpointRef> checkpoint) {}

  /**
   * The runner a learner with these settings uses: its own replica, or, with {@code shards > 1},
   * the batch split across learner shards with this replica as the authoritative one. {@code
   * releaseServed} runs on the training thread just before each new version is exported: it lets
   * the policy store drop the values of the version it serves, so that the learner holds one
   * exported version at a time (at 500M parameters, 2 GB of heap each).
   */
  static StepRunner of(
      ActorSystem<?> system,
      GrpoTrainer trainer,
      LearnerSettings settings,
      Objective objective,
      Executor executor,
      CheckpointWriter checkpoints,
      Runnable releaseServed) {
    if (settings.shards() == 1) {
      return new LocalStepRunner(trainer, executor, checkpoints, releaseServed);
    }
    ShardedTrainer sharded =
        new ShardedTrainer(
            system,
            trainer,
            settings.shards(),
            executor,
            SHARD_TIMEOUT,
            objective,
            settings.optimization());
    return new ShardedStepRunner(sharded, trainer, executor, checkpoints, releaseServed);
  }

  /**
   * What a step on {@code trainer} produced, on the training thread: the new version's weights
   * exported once (after {@code releaseServed}), and its checkpoint being written from the device
   * while training goes on (the next update waits for it); a write failure travels in the returned
   * future.
   */
  static StepResult publish(
      StepMetrics metrics,
      GrpoTrainer trainer,
      PolicyVersion next,
      boolean checkpoint,
      CheckpointWriter checkpoints,
      Runnable releaseServed) {
    releaseServed.run();
    FlatWeights weights = trainer.export(next);
    CompletableFuture<CheckpointRef> written = null;
    if (checkpoint) {
      written = trainer.checkpoint(checkpoints, next);
    }
    return new StepResult(metrics, weights, written);
  }

  /** How long a shard may take to answer a part of a step. */
  Duration SHARD_TIMEOUT = Duration.ofSeconds(60);

  /**
   * One step from {@code at} to {@code next} on these samples.
   *
   * @param checkpoint whether to take a checkpoint of {@code next} with it
   * @return completes exceptionally with {@link verity.learner.grpo.NonFiniteLossException} when
   *     the loss or gradient is not finite (the weights are unchanged)
   */
  CompletableFuture<StepResult> step(
      long step,
      PolicyVersion at,
      PolicyVersion next,
      List<TrainingSample> samples,
      boolean checkpoint);
}
