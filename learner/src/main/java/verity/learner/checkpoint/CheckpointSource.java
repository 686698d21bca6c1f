package verity.learner.checkpoint;

import java.util.List;
import verity.actors.ids.PolicyVersion;

/**
 * A training state to write, read one tensor at a time: an in-memory {@link Checkpoint}, or the
 * learner's live replica (whose tensors are read from the device as the files are written, so no
 * copy of the whole model is ever on the heap).
 */
public interface CheckpointSource {

  PolicyVersion version();

  List<String> names();

  List<int[]> shapes();

  long optimizerSteps();

  /** Tensor {@code i}'s weights, as long as the tensor. */
  float[] weights(int i);

  /** Tensor {@code i}'s first optimizer moment (AdamW's {@code exp_avg}). */
  float[] m(int i);

  /** Tensor {@code i}'s second optimizer moment (AdamW's {@code exp_avg_sq}). */
  float[] v(int i);
}
