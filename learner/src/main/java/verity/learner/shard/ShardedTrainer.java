package verity.learner.shard;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.learner.grpo.BatchStatistics;
import verity.learner.grpo.GradientComputer;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.LossSums;
import verity.learner.grpo.Objective;
import verity.learner.grpo.TrainingSample;
import verity.learner.optim.Gradients;
import verity.learner.optim.Optimization;
import verity.learner.optim.OptimizerState;

/**
 * The coordinator's side of a sharded step: the batch is split into one slice per shard, the
 * coordinator's own replica computes the first slice and the {@link LearnerShard} entities the
 * others, the gradients (each normalized by the whole batch's token count) are summed, checked and
 * clipped once, and every replica applies the same clipped gradient with its own Adam. The step
 * completes when every shard has applied it; a shard whose weights then hash differently from the
 * coordinator's is counted, logged and reloaded from the coordinator's state. The coordinator's
 * replica is the authoritative one: checkpoints and published versions come from it. A sharded step
 * is a single update, so decoupled PPO's proximal policy is the current one on every replica;
 * {@code LearnerSettings} refuses several updates per batch or a KL penalty with shards.
 */
public final class ShardedTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ShardedTrainer.class);

  /** What a sharded step produced. */
  public record Result(StepMetrics metrics, long checksum) {}

  private final GrpoTrainer local;
  private final List<EntityRef<LearnerShard.Command>> shards;
  private final Executor training;
  private final Duration timeout;
  private final Objective objective;
  private final Optimization optimization;
  private final AtomicLong mismatches = new AtomicLong();
  private final ShardPlane plane;

  /** The state last served for loading shards; written on the training thread. */
  private volatile LocalState served;

  /**
   * @param shards how many replicas share each batch, the coordinator's included; the others are
   *     entities {@code shard-1 .. shard-(n-1)}
   */
  public ShardedTrainer(
      ActorSystem<?> system,
      GrpoTrainer local,
      int shards,
      Executor training,
      Duration timeout,
      Objective objective,
      Optimization optimization) {
    this.local = local;
    this.training = training;
    this.timeout = timeout;
    this.objective = objective;
    this.optimization = optimization;
    List<EntityRef<LearnerShard.Command>> refs = new ArrayList<>();
    for (int i = 1; i < shards; i++) {
      refs.add(
          ClusterSharding.get(system).entityRefFor(LearnerShard.ENTITY_TYPE_KEY, "shard-" + i));
    }
    this.shards = List.copyOf(refs);
    this.plane = ShardPlane.get(system);
  }

  /** Shards whose weights differed from the coordinator's after a step, so far. */
  public long mismatches() {
    return mismatches.get();
  }

  /**
   * One step from {@code at} to {@code next} on these samples.
   *
   * @return completes exceptionally with {@link verity.learner.grpo.NonFiniteLossException} when
   *     the reduced loss or gradient is not finite (no replica changed)
   */
  public CompletionStage<Result> step(
      long step, PolicyVersion at, PolicyVersion next, List<TrainingSample> samples) {
    long started = System.nanoTime();
    double tokens = BatchStatistics.tokens(samples);
    List<List<TrainingSample>> slices = split(samples, shards.size() + 1);
    List<CompletableFuture<GradientComputer.Result>> parts = new ArrayList<>();
    parts.add(CompletableFuture.supplyAsync(() -> local.gradient(slices.get(0), tokens), training));
    for (int i = 0; i < shards.size(); i++) {
      parts.add(remoteGradient(i, step, at, slices.get(i + 1), tokens, true));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApplyAsync(
            done -> {
              float[] sum = null;
              LossSums sums = LossSums.ZERO;
              for (CompletableFuture<GradientComputer.Result> p : parts) {
                GradientComputer.Result r = p.join();
                if (sum == null) {
                  sum = r.gradient().clone();
                } else {
                  Gradients.accumulate(sum, r.gradient());
                }
                sums = sums.plus(r.sums());
              }
              // Normalized by the batch's tokens; rescaled to the tokens kept if the filter dropped
              // any.
              GradientComputer.Result reduced =
                  new GradientComputer.Result(sum, sums).perKeptToken(tokens);
              double norm = local.clipOrSkip(reduced, samples.size());
              local.applyClipped(reduced.gradient());
              StepMetrics m =
                  GrpoTrainer.metrics(
                      objective, samples, sums, norm, 1, (System.nanoTime() - started) / 1e6);
              return new Applying(m, reduced.gradient(), local.weightsChecksum());
            },
            training)
        .thenCompose(a -> applyEverywhere(step, next, a));
  }

  private record Applying(StepMetrics metrics, float[] gradient, long checksum) {}

  private CompletableFuture<Result> applyEverywhere(long step, PolicyVersion next, Applying a) {
    TensorsRef gradient = plane.offer(local.asTensors(a.gradient()));
    List<CompletableFuture<Void>> applied = new ArrayList<>();
    for (int i = 0; i < shards.size(); i++) {
      EntityRef<LearnerShard.Command> shard = shards.get(i);
      applied.add(
          shard
              .<LearnerShard.Reply>ask(
                  replyTo -> new LearnerShard.ApplyGradient(step, next, gradient, replyTo), timeout)
              .toCompletableFuture()
              .thenCompose(
                  reply -> {
                    if (reply instanceof LearnerShard.Applied ok && ok.checksum() == a.checksum()) {
                      return CompletableFuture.<Void>completedFuture(null);
                    }
                    mismatches.incrementAndGet();
                    LOG.error(
                        "learner {} is out of step after step {} ({}); reloading it from the"
                            + " coordinator",
                        shard.getEntityId(),
                        step,
                        reply);
                    return load(shard, next).thenApply(loaded -> (Void) null);
                  }));
    }
    return CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new))
        .thenApply(done -> new Result(a.metrics(), a.checksum()));
  }

  private CompletableFuture<GradientComputer.Result> remoteGradient(
      int index,
      long step,
      PolicyVersion at,
      List<TrainingSample> slice,
      double tokens,
      boolean mayLoad) {
    EntityRef<LearnerShard.Command> shard = shards.get(index);
    return shard
        .<LearnerShard.Reply>ask(
            replyTo -> new LearnerShard.ComputeGradient(step, at, slice, tokens, replyTo), timeout)
        .toCompletableFuture()
        .thenCompose(
            reply -> {
              if (reply instanceof LearnerShard.Gradient g) {
                return plane
                    .fetch(g.gradient())
                    .thenApply(
                        tensors ->
                            new GradientComputer.Result(tensors.values().flatten(), g.sums()));
              }
              if (reply instanceof LearnerShard.NeedsState && mayLoad) {
                // New, restarted or moved: give it the coordinator's state, then ask again.
                return load(shard, at)
                    .thenCompose(loaded -> remoteGradient(index, step, at, slice, tokens, false));
              }
              return CompletableFuture.failedFuture(
                  new IllegalStateException(
                      shard.getEntityId() + " cannot compute step " + step + ": " + reply));
            });
  }

  /** The coordinator's state for a shard, served on the plane. */
  private record LocalState(
      PolicyVersion version, TensorsRef weights, TensorsRef m, TensorsRef v, long steps) {}

  /**
   * The coordinator's state at {@code version}, served on the plane once for every shard that needs
   * it. On the training thread, which is the only one to change the state.
   */
  private LocalState stateFor(PolicyVersion version) {
    LocalState s = served;
    if (s == null
        || !s.version().equals(version)
        || !plane.serves(s.weights())
        || !plane.serves(s.m())
        || !plane.serves(s.v())) {
      OptimizerState optimizer = local.optimizerState();
      s =
          new LocalState(
              version,
              plane.offer(local.export(version)),
              plane.offer(local.asTensors(optimizer.m())),
              plane.offer(local.asTensors(optimizer.v())),
              optimizer.steps());
      served = s;
    }
    return s;
  }

  /** Loads the coordinator's current state into a shard; call only between steps. */
  private CompletableFuture<LearnerShard.Reply> load(
      EntityRef<LearnerShard.Command> shard, PolicyVersion version) {
    return CompletableFuture.supplyAsync(() -> stateFor(version), training)
        .thenCompose(
            state ->
                shard
                    .<LearnerShard.Reply>ask(
                        replyTo ->
                            new LearnerShard.LoadState(
                                state.version(),
                                state.weights(),
                                state.m(),
                                state.v(),
                                state.steps(),
                                objective,
                                optimization,
                                replyTo),
                        timeout)
                    .toCompletableFuture());
  }

  /** Contiguous slices of nearly equal size, the first ones one longer when it does not divide. */
  static List<List<TrainingSample>> split(List<TrainingSample> samples, int parts) {
    List<List<TrainingSample>> out = new ArrayList<>(parts);
    int base = samples.size() / parts;
    int extra = samples.size() % parts;
    int from = 0;
    for (int i = 0; i < parts; i++) {
      int n = base + (i < extra ? 1 : 0);
      out.add(samples.subList(from, from + n));
      from += n;
    }
    return out;
  }
}
