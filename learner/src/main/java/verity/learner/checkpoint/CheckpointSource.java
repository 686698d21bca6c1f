package verity.learner.checkpoint;

import java.util.List;
import verity.actors.ids.PolicyVersion;

/**
 * A training state to write, read one tensor at a time: an in-memory {@link Checkpoint}, or the
 * learner's live replica (whose tensors are read from the device as the file is written, so no copy
 * of the whole model is ever on the heap).
 */
public interface CheckpointSource {

  PolicyVersion version();

  List<String> names();

  List<int[]> shapes();

  long optimizerSteps();

  /** Tensor {@code i}'s weights and optimizer moments, each as long as the tensor. */
  TensorState tensor(int i);

  /** One tensor's part of a checkpoint. */
  record TensorState(float[] weights, float[] m, float[] v) {}
}
