package verity.learner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.TrainingEvent;
import verity.actors.weights.FlatWeights;
import verity.learner.checkpoint.CheckpointRef;
import verity.learner.checkpoint.CheckpointStore;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.NonFiniteLossException;
import verity.learner.grpo.Objective;
import verity.learner.grpo.SupervisedTrainer;
import verity.policy.Policy;
import verity.policy.ReplicaFactory;

/**
 * How the learner's replica starts: from the newest good checkpoint the journal names, or, in a new
 * run, fresh (after the supervised warm start, if any) with its first checkpoint written. The
 * checkpoint directory is tidied first: temporaries of an interrupted write and files the journal
 * does not refer to are deleted. Blocking: runs on the compute dispatcher.
 */
final class LearnerBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(LearnerBootstrap.class);

  /** Non-finite warm-start steps in a row after which the warm start fails. */
  static final int MAX_SKIPPED_IN_A_ROW = 5;

  private static final int WARM_START_REPORT_EVERY = 25;

  /**
   * The replica and its trainer, the weights to publish first (null once handed on: a model's worth
   * of heap) and the checkpoint they came from.
   */
  record Started(
      Policy policy,
      GrpoTrainer trainer,
      FlatWeights initial,
      PolicyVersion initialVersion,
      CheckpointRef ref,
      boolean resumed) {

    Started(
        Policy policy,
        GrpoTrainer trainer,
        FlatWeights initial,
        CheckpointRef ref,
        boolean resumed) {
      this(policy, trainer, initial, initial.version(), ref, resumed);
    }

    /** The same start without its weights, which the caller took. */
    Started withoutWeights() {
      return new Started(policy, trainer, null, initialVersion, ref, resumed);
    }
  }

  private final LearnerSettings settings;
  private final Objective objective;
  private final ReplicaFactory replicas;
  private final DemonstrationSource demonstrations;
  private final CheckpointStore checkpoints;

  LearnerBootstrap(
      LearnerSettings settings,
      Objective objective,
      ReplicaFactory replicas,
      DemonstrationSource demonstrations,
      CheckpointStore checkpoints) {
    this.settings = settings;
    this.objective = objective;
    this.replicas = replicas;
    this.demonstrations = demonstrations;
    this.checkpoints = checkpoints;
  }

  /**
   * @param saved the checkpoints the journal keeps, newest last; empty for a new run
   * @param progress told of the warm start's progress
   */
  Started start(List<CheckpointRef> saved, Consumer<TrainingEvent> progress) {
    tidy(saved);
    Policy policy = replicas.create();
    if (!saved.isEmpty()) {
      CheckpointStore.Loaded c =
          checkpoints
              .loadLatestGood(saved)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "none of the "
                              + saved.size()
                              + " checkpoints in "
                              + checkpoints.dir()
                              + " is intact; start over with --fresh"));
      GrpoTrainer trainer = trainer(policy);
      trainer.restore(c.checkpoint());
      return new Started(policy, trainer, c.checkpoint().weights(), c.ref(), true);
    }
    warmStart(policy, progress);
    GrpoTrainer trainer = trainer(policy); // after the warm start: it copies the weights
    try {
      CheckpointRef ref = checkpoints.save(trainer.liveCheckpoint(PolicyVersion.INITIAL));
      return new Started(policy, trainer, trainer.export(PolicyVersion.INITIAL), ref, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the first checkpoint", e);
    }
  }

  private GrpoTrainer trainer(Policy policy) {
    return new GrpoTrainer(policy, objective, settings.updateSchedule(), settings.optimization());
  }

  private void tidy(List<CheckpointRef> saved) {
    try {
      int temporaries = checkpoints.sweepTemporaries();
      int unreferenced = checkpoints.prune(saved);
      if (temporaries + unreferenced > 0) {
        LOG.info(
            "checkpoints: deleted {} temporaries of interrupted writes and {} files the journal"
                + " does not refer to",
            temporaries,
            unreferenced);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tidy " + checkpoints.dir(), e);
    }
  }

  private void warmStart(Policy policy, Consumer<TrainingEvent> progress) {
    LearnerSettings.WarmStart warm = settings.warmStart();
    if (warm.steps() == 0) {
      return;
    }
    try (SupervisedTrainer sft = new SupervisedTrainer(policy, warm.learningRate())) {
      int skippedInARow = 0;
      for (int step = 1; step <= warm.steps(); step++) {
        DemonstrationSource.Demonstrations d = demonstrations.next(warm.batch());
        double loss;
        try {
          loss = sft.step(d.prompts(), d.completions());
          skippedInARow = 0;
        } catch (NonFiniteLossException e) {
          // The sporadic non-finite gradient of PyTorch's CPU kernels (lm-notes) is skipped as an
          // RL
          // step's is; a run of them means the weights themselves went bad.
          if (++skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
            throw e;
          }
          LOG.warn("warm-start step {}: {}", step, e.getMessage());
          continue;
        }
        if (step % WARM_START_REPORT_EVERY == 0 || step == warm.steps()) {
          progress.accept(new TrainingEvent.WarmStartProgress(step, warm.steps(), loss));
        }
      }
    }
  }
}
