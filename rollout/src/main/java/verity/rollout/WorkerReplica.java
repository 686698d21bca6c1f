package verity.rollout;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import verity.actors.ids.PolicyVersion;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Trajectory;
import verity.actors.weights.FlatWeights;
import verity.envs.Suite;
import verity.policy.NativeWork;
import verity.policy.Policy;

/**
 * A rollout worker's policy replica and the batches it generates on the compute dispatcher, one at
 * a time, with their totals. The newest staged version is loaded before a batch starts and between
 * the turns of its episodes; a batch is handed over once the added episode time of its longest task
 * has passed too. Not an actor: its worker calls it on the actor's thread, and closes it.
 */
final class WorkerReplica {

  /** A generated batch: its trajectories, the tokens sampled, and how long it took. */
  record Batch(List<Trajectory> trajectories, long tokens, double millis) {}

  private final Suite suite;
  private final RolloutSettings settings;
  private final float temperature;
  private final TrajectoryAssembler assembler;
  private final Executor compute;

  /** The sampler's randomness; used by the compute thread only. */
  private final SplittableRandom random;

  /** Draws the added episode time of each task, on the actor's thread. */
  private final SplittableRandom episodeTimeRandom;

  /** The newest complete version not yet loaded; taken by the compute thread. */
  private final AtomicReference<FlatWeights> staged = new AtomicReference<>();

  /** Told each version once it is in the replica (from the compute thread). */
  private final Consumer<PolicyVersion> onLoaded;

  /** Held while the replica generates or loads: never both at once. */
  private final ReentrantLock using = new ReentrantLock();

  /** The version of the weights in the replica, null before the first; written by compute. */
  private volatile PolicyVersion loadedVersion;

  /**
   * A version was staged: the replica holds one or will before its next batch. On the actor's
   * thread; {@link #loadedVersion} and {@link #staged} cannot tell, since a load that took the
   * staged version and has not finished shows neither.
   */
  private boolean versionGiven;

  private Policy policy;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);

  /** The number of the batch that generates; 0 when none does. */
  private long generating;

  private int generatingTrajectories;
  private long trajectories;
  private long tokens;
  private final LatencyWindow batchMillis = new LatencyWindow(256);

  WorkerReplica(
      Suite suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      TrajectoryAssembler assembler,
      Executor compute,
      Consumer<PolicyVersion> onLoaded) {
    this.suite = suite;
    this.settings = settings;
    this.temperature = temperature;
    this.assembler = assembler;
    this.compute = compute;
    this.onLoaded = onLoaded;
    this.random = new SplittableRandom(seed);
    this.episodeTimeRandom = new SplittableRandom(seed ^ 0x5DEECE66DL);
  }

  /**
   * Takes the replica built for this worker.
   *
   * @return false (and closes {@code p}) when it already holds one
   */
  boolean attach(Policy p) {
    if (policy != null) {
      p.close();
      return false;
    }
    policy = p;
    return true;
  }

  boolean attached() {
    return policy != null;
  }

  /** Whether it holds a replica and a version to generate with. */
  boolean ready() {
    return policy != null && versionGiven;
  }

  /** Loads {@code weights} before the next batch or turn, in place of any older staged version. */
  void stage(FlatWeights weights) {
    staged.set(weights);
    versionGiven = true;
  }

  /**
   * Loads the staged version now, on the compute dispatcher, unless a batch is generating (it loads
   * it before its next turn): a staged copy is held no longer than it must be.
   */
  void loadIfIdle() {
    Policy p = policy;
    if (p == null || staged.get() == null) {
      return;
    }
    CompletableFuture<Void> load =
        CompletableFuture.runAsync(
            () -> {
              if (using.tryLock()) {
                try {
                  Runnable swap = takeStaged(p);
                  if (swap != null) {
                    swap.run();
                  }
                } finally {
                  using.unlock();
                }
              }
            },
            compute);
    inFlight = CompletableFuture.allOf(inFlight, load); // closed only after it
  }

  PolicyVersion loadedVersion() {
    return loadedVersion;
  }

  /**
   * Generates the episodes of these leases as batch {@code batch}; it is handed over after its
   * added time, and {@link #finished} once taken.
   */
  CompletableFuture<Batch> generate(long batch, List<TaskRequests.Lease> leases) {
    generating = batch;
    generatingTrajectories = leases.size() * settings.groupSize();
    Policy p = policy;
    CompletableFuture<Batch> job =
        withAddedEpisodeTime(
            CompletableFuture.supplyAsync(() -> run(p, leases), compute), leases.size());
    inFlight = job;
    return job;
  }

  /** Whether {@code batch} is the one that generates (not one of an earlier incarnation). */
  boolean generates(long batch) {
    return batch != 0 && batch == generating;
  }

  /** The batch that generated is taken over: it counts in the totals. */
  void finished(Batch b) {
    generating = 0;
    generatingTrajectories = 0;
    batchMillis.add(b.millis());
    trajectories += b.trajectories().size();
    tokens += b.tokens();
  }

  /** The trajectories of the batch that generates; 0 when none does. */
  int generatingTrajectories() {
    return generatingTrajectories;
  }

  /** Trajectories generated over this incarnation. */
  long trajectories() {
    return trajectories;
  }

  /** Tokens sampled over this incarnation. */
  long tokens() {
    return tokens;
  }

  /** How long recent batches took, added episode time included. */
  LatencyWindow batchMillis() {
    return batchMillis;
  }

  /**
   * The report of {@code worker} on batch {@code b}, once {@link #finished}: the version the batch
   * began with, and this incarnation's totals.
   */
  TrainingEvent.RolloutReport report(String worker, Batch b) {
    PolicyVersion version = b.trajectories().get(0).segments().get(0).version();
    return new TrainingEvent.RolloutReport(worker, version, trajectories, tokens, b.millis());
  }

  /** Closes the replica once the batch in flight, if any, is done. */
  void close() {
    NativeWork.closeAfter(inFlight, policy);
  }

  /** Runs on the compute dispatcher. */
  private Batch run(Policy p, List<TaskRequests.Lease> leases) {
    using.lock();
    try {
      return generateWith(p, leases);
    } finally {
      using.unlock();
    }
  }

  private Batch generateWith(Policy p, List<TaskRequests.Lease> leases) {
    long started = System.nanoTime();
    Runnable first = takeStaged(p);
    if (first != null) {
      first.run();
    }
    TrajectoryAssembler.EpisodeRows episodes = assembler.episodes(leases);
    List<EpisodeRunner.Result> results =
        EpisodeRunner.run(
            p, suite, episodes.tasks(), episodes.seeds(), temperature, random, () -> takeStaged(p));
    return new Batch(
        assembler.trajectories(leases, episodes, results),
        TrajectoryAssembler.sampledTokens(results),
        (System.nanoTime() - started) / 1e6);
  }

  /** A swap to the newest staged version, or null when there is none. */
  private Runnable takeStaged(Policy p) {
    FlatWeights w = staged.getAndSet(null);
    return w == null
        ? null
        : () -> {
          try {
            p.importWeights(w);
            loadedVersion = w.version();
          } finally {
            onLoaded.accept(w.version()); // loaded or refused: the follower may fetch the next
          }
        };
  }

  /**
   * The batch, handed over once its longest task's added episode time has passed too: one draw per
   * task, and the batch waits for the largest, as a vectorized batch waits for its longest episode.
   */
  private CompletableFuture<Batch> withAddedEpisodeTime(CompletableFuture<Batch> job, int tasks) {
    Duration longest = Duration.ZERO;
    for (int i = 0; i < tasks; i++) {
      Duration d = settings.addedEpisodeTime().sample(episodeTimeRandom);
      if (d.compareTo(longest) > 0) {
        longest = d;
      }
    }
    if (longest.isZero()) {
      return job;
    }
    long extra = longest.toNanos();
    return job.thenCompose(
        b ->
            CompletableFuture.supplyAsync(
                () -> new Batch(b.trajectories(), b.tokens(), b.millis() + extra / 1e6),
                CompletableFuture.delayedExecutor(extra, TimeUnit.NANOSECONDS, compute)));
  }
}
