package verity.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import verity.actors.ids.PolicyVersion;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.Objective;
import verity.learner.grpo.TrainingSample;
import verity.learner.grpo.UpdateSchedule;
import verity.learner.optim.LearningRateSchedule;
import verity.learner.optim.Optimization;
import verity.policy.Policy;
import verity.policy.PolicySpec;
import verity.policy.Scalars;
import verity.policy.Tokenizer;
import verity.policy.TrainingBatch;
import verity.policy.transformer.TransformerPolicy;
import verity.policy.transformer.TransformerSizes;

/**
 * The learner's step on a transformer (Verity's {@link GrpoTrainer}: the PPO loss, backward, the
 * global norm and AdamW on the device) against a plain DJL loop over an identical replica: the same
 * forward and PPO loss, backward, and DJL's own Adam updating each parameter. Both train on the
 * same 8 rows of 16 prompt and 32 completion tokens, alternately, after a warm-up; the figure is
 * the plain loop's median step time ÷ Verity's (≥ 1 when Verity is as fast). A second figure adds
 * what the learner also does before it publishes a version: the weights exported for the broadcast.
 */
public final class LearnerStepBench implements Benchmark {
  private static final int ROWS = 8;
  private static final int PROMPT = 16;
  private static final int COMPLETION = 32;
  private static final int VOCABULARY = 32_000;
  private static final double LEARNING_RATE = 1e-5;

  /** Issue 17's target: the learner's step at least 0.9 of the plain loop's speed. */
  private static final double TARGET = 0.9;

  @Override
  public String name() {
    return "learner-step";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    List<Figure> figures = new ArrayList<>();
    List<TransformerSizes> sizes =
        run.quick()
            ? List.of(new TransformerSizes(128, 512, 2, 4, 4, 10_000))
            : List.of(
                new TransformerSizes(256, 1024, 4, 4, 4, 10_000),
                new TransformerSizes(768, 2048, 12, 12, 4, 10_000));
    for (TransformerSizes s : sizes) {
      figures.addAll(measure(run, s, run.quick() ? 3 : 5));
    }
    return figures;
  }

  private static List<Figure> measure(BenchRun run, TransformerSizes sizes, int steps) {
    PolicySpec spec = new PolicySpec(new Vocabulary(VOCABULARY), PROMPT + 1, COMPLETION, 1, 1, 1);
    Objective ppo = new Objective(Objective.Kind.PPO, 0.2, 0.01, 2.0, 1f);
    Optimization optimization =
        new Optimization(LearningRateSchedule.constant(LEARNING_RATE), 0.01, 1.0);
    try (TransformerPolicy verity = TransformerPolicy.create(spec, sizes, Device.cpu(), 1);
        TransformerPolicy plain = TransformerPolicy.create(spec, sizes, Device.cpu(), 1);
        GrpoTrainer trainer = new GrpoTrainer(verity, ppo, UpdateSchedule.SINGLE, optimization)) {
      List<TrainingSample> samples = samples(verity);
      PlainLoop loop = new PlainLoop(plain, ppo);
      String size =
          String.format(
              Locale.ROOT,
              "fresh Llama, %d layers, hidden %d, vocabulary 32,000, %s parameters",
              sizes.layers(),
              sizes.hidden(),
              Format.count(verity.parameterCount()));
      double[] stepSeconds = new double[steps];
      double[] exportSeconds = new double[steps];
      double[] plainSeconds = new double[steps];
      for (int i = -1; i < steps; i++) { // step -1 is the warm-up of both
        long start = System.nanoTime();
        trainer.step(samples);
        double step = seconds(start);
        start = System.nanoTime();
        trainer.export(PolicyVersion.of(i + 2));
        double export = seconds(start);
        start = System.nanoTime();
        loop.step(samples);
        double plainStep = seconds(start);
        if (i >= 0) {
          stepSeconds[i] = step;
          exportSeconds[i] = step + export;
          plainSeconds[i] = plainStep;
        }
        run.log()
            .printf(
                Locale.ROOT,
                "learner-step %s: step %d: Verity %.3f s (+ export %.3f s), plain loop %.3f s%n",
                Format.count(verity.parameterCount()),
                i + 1,
                step,
                export,
                plainStep);
      }
      double verityStep = median(stepSeconds);
      double withExport = median(exportSeconds);
      double plainStep = median(plainSeconds);
      String what =
          ": learner step on "
              + ROWS
              + " rows × "
              + (PROMPT + COMPLETION)
              + " tokens (forward, PPO loss, backward, AdamW), plain DJL loop's time ÷ Verity's"
              + " (median of "
              + steps
              + ")";
      return List.of(
          Figure.atLeast(
              size + what,
              String.format(Locale.ROOT, "%.3f s a step (Verity)", verityStep),
              String.format(Locale.ROOT, "%.3f s (plain loop)", plainStep),
              plainStep / verityStep,
              TARGET),
          Figure.atLeast(
              size + what + ", Verity's with the version exported for the broadcast",
              String.format(Locale.ROOT, "%.3f s a step with the export", withExport),
              String.format(Locale.ROOT, "%.3f s (plain loop)", plainStep),
              plainStep / withExport,
              TARGET));
    }
  }

  /** Random prompts and completions with their behaviour log-probs and ±1 advantages. */
  private static List<TrainingSample> samples(Policy policy) {
    SplittableRandom random = new SplittableRandom(7);
    int[][] prompts = new int[ROWS][PROMPT];
    int[][] completions = new int[ROWS][COMPLETION];
    for (int r = 0; r < ROWS; r++) {
      for (int i = 0; i < PROMPT; i++) {
        prompts[r][i] = random.nextInt(3, VOCABULARY);
      }
      for (int i = 0; i < COMPLETION; i++) {
        completions[r][i] = random.nextInt(3, VOCABULARY);
      }
    }
    float[][] behaviour = policy.logProbs(prompts, completions, 1f);
    List<TrainingSample> out = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      out.add(
          TrainingSample.completion(
              prompts[r], completions[r], behaviour[r], r % 2 == 0 ? 1f : -1f, 1f, 0, 0));
    }
    return out;
  }

  /**
   * What a user would write with DJL alone: forward, the PPO-clipped loss with an entropy bonus,
   * backward in a gradient collector, and DJL's Adam on each parameter.
   */
  private static final class PlainLoop {
    private final Policy policy;
    private final Objective objective;
    private final Optimizer adam;

    PlainLoop(Policy policy, Objective objective) {
      this.policy = policy;
      this.objective = objective;
      this.adam =
          Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) LEARNING_RATE)).build();
      policy.enableGradients();
    }

    void step(List<TrainingSample> samples) {
      int n = samples.size();
      int[][] prompts = new int[n][];
      int[][] tokens = new int[n][];
      float[] behaviour = new float[n * COMPLETION];
      float[] advantages = new float[n];
      for (int i = 0; i < n; i++) {
        prompts[i] = samples.get(i).prompt();
        tokens[i] = samples.get(i).tokens();
        System.arraycopy(
            samples.get(i).behaviourLogProbs(), 0, behaviour, i * COMPLETION, COMPLETION);
        advantages[i] = samples.get(i).advantage();
      }
      NDManager models = policy.model().getNDManager();
      try (NDManager m = models.newSubManager()) {
        TrainingBatch batch = policy.trainingBatch(m, prompts, tokens);
        try (GradientCollector collector = m.getEngine().newGradientCollector()) {
          NDArray logits =
              policy
                  .model()
                  .getBlock()
                  .forward(new ParameterStore(m, false), batch.inputs(), true)
                  .get(0);
          NDList lp = Policy.completionLogProbs(logits, batch, 1f);
          NDArray ratio = lp.get(0).sub(m.create(behaviour, new Shape(n, COMPLETION))).exp();
          NDArray a = m.create(advantages, new Shape(n, 1));
          NDArray clipped = ratio.clip(1 - objective.clip(), 1 + objective.clip());
          NDArray surrogate = ratio.mul(a).minimum(clipped.mul(a));
          NDArray loss =
              surrogate
                  .add(Scalars.mul(lp.get(1), (float) objective.entropyCoefficient()))
                  .mul(batch.mask())
                  .sum()
                  .neg()
                  .div(batch.mask().sum());
          collector.backward(loss);
        }
        for (Pair<String, Parameter> p : policy.model().getBlock().getParameters()) {
          NDArray weight = p.getValue().getArray();
          NDArray gradient = weight.getGradient();
          gradient.attach(m);
          adam.update(p.getKey(), weight, gradient);
          gradient.set(new NDIndex(":"), 0f);
        }
      }
    }
  }

  /** A vocabulary of ids only: the benchmark feeds ids, never text. */
  private record Vocabulary(int size) implements Tokenizer {
    @Override
    public int vocabSize() {
      return size;
    }

    @Override
    public int padToken() {
      return 0;
    }

    @Override
    public int bosToken() {
      return 1;
    }

    @Override
    public int eosToken() {
      return 2;
    }

    @Override
    public int[] encode(String text) {
      throw new UnsupportedOperationException("the benchmark feeds ids");
    }

    @Override
    public String decode(int[] ids) {
      throw new UnsupportedOperationException("the benchmark feeds ids");
    }
  }

  private static double median(double[] xs) {
    double[] sorted = xs.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
