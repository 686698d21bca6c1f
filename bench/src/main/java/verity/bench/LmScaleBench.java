package verity.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.policy.Policy;
import verity.policy.TrainingBatch;
import verity.policy.transformer.LanguageModel;
import verity.policy.transformer.TransformerConfig;
import verity.policy.transformer.TransformerModel;

/**
 * A transformer of the size users start from, on this machine, in this JVM: a freshly initialized
 * Llama of 12 layers, hidden size 768 and a 32,000-token vocabulary (tied embeddings, 138M
 * parameters; quick: 4 layers, hidden 256) written as a Hugging Face directory, loaded, sampled
 * with and without its KV cache, and trained for a few teacher-forced steps. Memory is the JVM's
 * resident set (weights live in native memory), against the bytes of the fp32 weights.
 */
public final class LmScaleBench implements Benchmark {
  private static final int ROWS = 8;
  private static final int PROMPT = 16;
  private static final int NEW_TOKENS = 32;
  private static final int STEPS = 3;

  @Override
  public String name() {
    return "lm-scale";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    TransformerConfig config =
        TransformerConfig.builder(TransformerConfig.LLAMA)
            .vocabSize(32_000)
            .hiddenSize(run.quick() ? 256 : 768)
            .intermediateSize(run.quick() ? 1024 : 3072)
            .layers(run.quick() ? 4 : 12)
            .heads(run.quick() ? 4 : 12, run.quick() ? 4 : 12)
            .tieWordEmbeddings(true)
            .specialTokens(-1, List.of(LanguageModel.FRESH_END_OF_TEXT))
            .build();
    Path dir = run.workDir().resolve("lm-scale-model");
    long start = System.nanoTime();
    LanguageModel.writeFresh(dir, config, 1);
    double writeSeconds = seconds(start);
    long rssBefore = rss("VmRSS:");
    start = System.nanoTime();
    List<Figure> figures = new ArrayList<>();
    try (LanguageModel lm = LanguageModel.load(dir, Device.cpu())) {
      double loadSeconds = seconds(start);
      TransformerModel model = lm.model();
      long params = model.parameterCount();
      long weightBytes = params * 4;
      long rssLoaded = rss("VmRSS:");
      String size =
          String.format(
              Locale.ROOT,
              "fresh Llama, %d layers, hidden %d, vocabulary 32,000, %s parameters",
              config.layers(),
              config.hiddenSize(),
              Format.count(params));
      run.log()
          .printf(
              "%s: written in %.1f s (%s on disk), loaded in %.1f s; RSS %s before, %s after%n",
              size,
              writeSeconds,
              Format.mib(Files.size(dir.resolve("model.safetensors"))),
              loadSeconds,
              Format.mib(rssBefore),
              Format.mib(rssLoaded));
      figures.add(
          Figure.of(
              size + ": resident set added by loading it ÷ its fp32 weight bytes",
              Format.mib(rssLoaded - rssBefore)
                  + String.format(Locale.ROOT, " (load %.1f s)", loadSeconds),
              Format.mib(weightBytes) + " of fp32 weights",
              (double) (rssLoaded - rssBefore) / weightBytes));

      int[][] prompts = prompts(config);
      model.greedy(prompts, 2); // warm-up
      start = System.nanoTime();
      int[][] cached = model.greedy(prompts, NEW_TOKENS);
      double cachedSeconds = seconds(start);
      start = System.nanoTime();
      int recomputed = recompute(model, prompts, NEW_TOKENS);
      double recomputeSeconds = seconds(start);
      double cachedRate = tokens(cached) / cachedSeconds;
      double recomputeRate = recomputed / recomputeSeconds;
      figures.add(
          Figure.of(
              size
                  + ": greedy tokens/s, "
                  + ROWS
                  + " rows × "
                  + NEW_TOKENS
                  + " new tokens after "
                  + PROMPT
                  + ", with the KV cache ÷ recomputing the sequence per token",
              String.format(Locale.ROOT, "%.1f tokens/s (KV cache)", cachedRate),
              String.format(Locale.ROOT, "%.1f tokens/s (recomputation)", recomputeRate),
              cachedRate / recomputeRate));

      double[] step = trainSteps(model, prompts, cached);
      long peak = rss("VmHWM:");
      figures.add(
          Figure.of(
              size
                  + ": teacher-forced training step (forward, backward, SGD update) on "
                  + ROWS
                  + " rows × "
                  + (PROMPT + NEW_TOKENS)
                  + " tokens ÷ the forward pass alone",
              String.format(Locale.ROOT, "%.2f s a step (median of %d)", step[0], STEPS),
              String.format(Locale.ROOT, "%.2f s forward only", step[1]),
              step[0] / step[1]));
      figures.add(
          Figure.of(
              size
                  + ": peak resident set of the JVM (load, generation, training) ÷ fp32 weight bytes",
              Format.mib(peak),
              Format.mib(weightBytes) + " of fp32 weights",
              (double) peak / weightBytes));
    } finally {
      deleteTree(dir);
    }
    return figures;
  }

  private static int[][] prompts(TransformerConfig config) {
    SplittableRandom random = new SplittableRandom(7);
    int[][] prompts = new int[ROWS][PROMPT];
    for (int[] p : prompts) {
      for (int i = 0; i < PROMPT; i++) {
        p[i] = random.nextInt(32, 127); // printable bytes
      }
    }
    return prompts;
  }

  /** Greedy decoding that runs the whole sequence again for every token (no cache). */
  private static int recompute(TransformerModel model, int[][] prompts, int newTokens) {
    int[][] rows = Arrays.stream(prompts).map(int[]::clone).toArray(int[][]::new);
    boolean[][] none = new boolean[rows.length][0];
    for (int t = 0; t < newTokens; t++) {
      try (NDManager m = model.model().getNDManager().newSubManager()) {
        // A batch of the rows with no tokens after them: its last column is each row's end.
        int[][] empty = new int[rows.length][0];
        TrainingBatch batch = model.trainingBatch(m, rows, empty, none);
        NDArray logits =
            model.block().forward(new ParameterStore(m, false), batch.inputs(), false).get(0);
        long[] best = logits.get(":, -1, :").argMax(-1).toLongArray();
        for (int r = 0; r < rows.length; r++) {
          rows[r] = Arrays.copyOf(rows[r], rows[r].length + 1);
          rows[r][rows[r].length - 1] = (int) best[r];
        }
      }
    }
    return newTokens * rows.length;
  }

  /** Median seconds of a training step and of a forward pass alone. */
  private static double[] trainSteps(TransformerModel model, int[][] prompts, int[][] completions) {
    boolean[][] sampled = new boolean[completions.length][];
    for (int i = 0; i < completions.length; i++) {
      sampled[i] = new boolean[completions[i].length];
      Arrays.fill(sampled[i], true);
    }
    double[] steps = new double[STEPS];
    double[] forwards = new double[STEPS];
    for (int s = 0; s < STEPS; s++) {
      try (NDManager m = model.model().getNDManager().newSubManager()) {
        TrainingBatch batch = model.trainingBatch(m, prompts, completions, sampled);
        long start = System.nanoTime();
        model
            .block()
            .forward(new ParameterStore(m, false), batch.inputs(), false)
            .get(0)
            .getFloat(0, 0, 0);
        forwards[s] = seconds(start);
        start = System.nanoTime();
        try (GradientCollector collector = m.getEngine().newGradientCollector()) {
          NDArray logits =
              model.block().forward(new ParameterStore(m, false), batch.inputs(), true).get(0);
          NDArray lp = Policy.completionLogProbs(logits, batch, 1f).get(0);
          collector.backward(lp.mul(batch.mask()).sum().neg().div(batch.mask().sum()));
        }
        for (Parameter p : model.block().parametersByName().values()) {
          NDArray gradient = p.getArray().getGradient();
          gradient.attach(m);
          p.getArray().subi(gradient.mul(1e-4f));
          gradient.set(new NDIndex(":"), 0f);
        }
        steps[s] = seconds(start);
      }
    }
    Arrays.sort(steps);
    Arrays.sort(forwards);
    return new double[] {steps[STEPS / 2], forwards[STEPS / 2]};
  }

  private static long tokens(int[][] rows) {
    long n = 0;
    for (int[] r : rows) {
      n += r.length;
    }
    return n;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** A line of this JVM's {@code /proc/self/status}, in bytes. */
  private static long rss(String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("/proc/self/status has no " + key);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
