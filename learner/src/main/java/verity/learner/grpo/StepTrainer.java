package verity.learner.grpo;

import java.util.List;
import verity.actors.protocol.StepMetrics;

/** Something that applies one RL step to a policy and says what it measured. */
public interface StepTrainer {
  StepMetrics step(List<TrainingSample> samples);
}
