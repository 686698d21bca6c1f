package verity.deploy.run;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import verity.actors.weights.FlatWeights;
import verity.learner.checkpoint.CheckpointSettings;
import verity.learner.checkpoint.CheckpointStore;
import verity.policy.Policy;
import verity.policy.PolicySettings;
import verity.policy.transformer.TransformerPolicy;

/**
 * {@code --export DIR}: after a run, its newest checkpoint (with {@code --max-steps}, the last
 * step's) written as a Hugging Face directory that {@code transformers} loads and {@code verity
 * generate} or {@code --model} read back. Only a transformer has that format.
 */
public final class PolicyExport {
  private PolicyExport() {}

  /**
   * Refuses an export the run could not make, before the run starts.
   *
   * @throws IllegalArgumentException naming the flag and why
   */
  public static void check(RunPlan plan, Path directory) {
    if (plan.policy().kind() != PolicySettings.Kind.TRANSFORMER) {
      throw new IllegalArgumentException(
          "--export writes a Hugging Face directory, which only a transformer policy has: add"
              + " --policy transformer or --model DIR");
    }
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new IllegalArgumentException("--export " + directory + " exists and is no directory");
    }
  }

  /**
   * Writes the run's newest checkpoint to {@code directory}; returns its version's description.
   *
   * @throws IOException when no checkpoint reads or the directory cannot be written
   */
  public static String write(RunPlan plan, Path directory) throws IOException {
    CheckpointStore store = new CheckpointStore(CheckpointSettings.from(plan.config()).dir());
    FlatWeights weights =
        store
            .newestWeights()
            .orElseThrow(() -> new IOException("no readable checkpoint in " + store.dir()));
    ai.djl.Device device = plan.policy().device().resolve(Engine.getEngine(Policy.ENGINE));
    try (Policy replica = plan.policy().newReplica(plan.spec(), device, plan.dev().seed())) {
      replica.importWeights(weights);
      ((TransformerPolicy) replica).export(directory);
    }
    return weights.version().toString();
  }
}
