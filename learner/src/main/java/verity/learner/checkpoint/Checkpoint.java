package verity.learner.checkpoint;

import java.util.List;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.learner.optim.OptimizerState;

/** A saved training state: the weights of a version and the optimizer state that goes with them. */
public record Checkpoint(FlatWeights weights, OptimizerState optimizer)
    implements CheckpointSource {

  @Override
  public PolicyVersion version() {
    return weights.version();
  }

  @Override
  public List<String> names() {
    return weights.header().names();
  }

  @Override
  public List<int[]> shapes() {
    return weights.header().shapes();
  }

  @Override
  public long optimizerSteps() {
    return optimizer.steps();
  }

  @Override
  public float[] weights(int i) {
    return weights.values().tensor(i);
  }

  @Override
  public float[] m(int i) {
    return optimizer.m().get(i);
  }

  @Override
  public float[] v(int i) {
    return optimizer.v().get(i);
  }
}
