package verity.learner.checkpoint;

import verity.actors.weights.FlatWeights;
import verity.learner.optim.OptimizerState;

/** A saved training state: the weights of a version and the optimizer state that goes with them. */
public record Checkpoint(FlatWeights weights, OptimizerState optimizer) {}
