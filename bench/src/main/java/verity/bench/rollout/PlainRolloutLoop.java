package verity.bench.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import verity.actors.ids.LeaseId;
import verity.actors.weights.FlatWeights;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.policy.Policy;
import verity.rollout.EpisodeRunner;
import verity.rollout.TrajectoryAssembler;

/**
 * The baseline of the rollout overhead: {@code threads} plain threads, each with its own replica
 * holding the given weights, each running {@link EpisodeRunner} on batches of {@code tasks × group}
 * episodes back to back, as a rollout worker does on the compute dispatcher, with no actor, lease,
 * message or serialization in between. The episodes are laid out and seeded as a worker's are
 * ({@link TrajectoryAssembler}), the generator's tasks numbered as if leased one by one.
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
      List<Task> tasks = new ArrayList<>(tasksPerBatch);
      List<LeaseId> leases = new ArrayList<>(tasksPerBatch);
      for (int i = 0; i < tasksPerBatch; i++, lease++) {
        tasks.add(generator.next());
        leases.add(new LeaseId(lease));
      }
      TrajectoryAssembler.EpisodeRows batch = TrajectoryAssembler.episodes(tasks, leases, group);
      List<EpisodeRunner.Result> episodes =
          EpisodeRunner.run(
              policy, suite, batch.tasks(), batch.seeds(), temperature, random, () -> null);
      long tokens = TrajectoryAssembler.sampledTokens(episodes);
      meter.busy(stream, (System.nanoTime() - started) / 1e6);
      meter.record(stream, tokens);
    }
  }
}
