package verity.learner.checkpoint;

import com.typesafe.config.Config;
import java.nio.file.Path;
import verity.actors.config.ConfigChecks;

/**
 * {@code verity.learner.checkpoint}: where and how often the learner saves its training state.
 *
 * @param dir {@code <verity.data-dir>/checkpoints}
 * @param everySteps a checkpoint after every this many applied steps (and after the last one)
 * @param retention checkpoints the journal keeps (at least 2); files it no longer refers to are
 *     deleted
 */
public record CheckpointSettings(Path dir, int everySteps, int retention) {

  public static CheckpointSettings from(Config config) {
    return new CheckpointSettings(
        Path.of(config.getString("verity.data-dir")).resolve("checkpoints"),
        ConfigChecks.positiveInt(config, "verity.learner.checkpoint.every-steps"),
        ConfigChecks.intAtLeast(config, "verity.learner.checkpoint.retention", 2));
  }
}
