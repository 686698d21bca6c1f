package verity.bench.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import verity.actors.weights.FlatWeights;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.policy.EpisodeGenerator;
import verity.policy.Policy;
import verity.rollout.EpisodeRunner;

/**
 * The baseline of the rollout overhead: {@code threads} plain threads, each with its own replica
 * holding the given weights, each running {@link EpisodeRunner} on batches of {@code tasks × group}
 * episodes back to back, as a rollout worker does on the compute dispatcher, with no actor, lease,
 * message or serialization in between.
 */
public final class PlainRolloutLoop {
  private PlainRolloutLoop() {}

  /**
   * Runs the loop until {@code seconds} have passed and returns the tokens per second over the
   * window that starts after {@code warmupSeconds}.
   *
   * @param replicas builds a replica from a seed (the same factory the workers use)
   */
  public static TokenMeter.Rate run(
      Suite suite,
      LongFunction<Policy> replicas,
      long replicaSeed,
      FlatWeights weights,
      int threads,
      int tasksPerBatch,
      int group,
      float temperature,
      long seed,
      double warmupSeconds,
      double seconds)
      throws Exception {
    TokenMeter meter = new TokenMeter();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int stream = t;
        running.add(
            pool.submit(
                () -> {
                  try (Policy policy = replicas.apply(replicaSeed)) {
                    policy.importWeights(weights);
                    loop(
                        policy,
                        suite,
                        suite.generator(seed + stream),
                        new SplittableRandom(seed * 1_000_003L + stream + 1),
                        tasksPerBatch,
                        group,
                        temperature,
                        end,
                        meter,
                        "thread-" + stream);
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
    return meter.rate(start + (long) (warmupSeconds * 1e9), end);
  }

  private static void loop(
      Policy policy,
      Suite suite,
      TaskGenerator generator,
      SplittableRandom random,
      int tasksPerBatch,
      int group,
      float temperature,
      long endNanos,
      TokenMeter meter,
      String stream) {
    long lease = 1;
    while (System.nanoTime() < endNanos) {
      long started = System.nanoTime();
      List<Task> tasks = new ArrayList<>(tasksPerBatch * group);
      long[] seeds = new long[tasksPerBatch * group];
      for (int i = 0; i < tasksPerBatch; i++, lease++) {
        Task task = generator.next();
        for (int j = 0; j < group; j++) {
          tasks.add(task);
          seeds[i * group + j] = lease * 1_000_003L + j;
        }
      }
      List<EpisodeRunner.Result> episodes =
          EpisodeRunner.run(policy, suite, tasks, seeds, temperature, random, () -> null);
      long tokens = 0;
      for (EpisodeRunner.Result r : episodes) {
        EpisodeGenerator.Episode e = r.episode();
        tokens += e.actions().length;
      }
      meter.busy(stream, (System.nanoTime() - started) / 1e6);
      meter.record(stream, tokens);
    }
  }
}
