package verity.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;
import verity.actors.weights.plane.PartialVersion;
import verity.actors.weights.plane.ServedVersion;
import verity.actors.weights.plane.ServedVersions;
import verity.actors.weights.plane.WeightFetch;
import verity.actors.weights.plane.WeightServer;
import verity.actors.weights.plane.WireDtype;
import verity.bench.learning.PlainGrpoLoop;
import verity.bench.report.Figure;
import verity.deploy.run.RunPlan;

/**
 * The bytes the weight plane sends per step of a real training run, whole and as differences from
 * the previous version ({@code verity.weights.delta}). The run is GRPO on {@code arith} with the
 * fresh transformer of {@code verity dev --policy transformer} ({@link PlainGrpoLoop}: sampled
 * episodes, the suite's verifier, the cluster's trainer); after each step its weights are published
 * to two weight-plane servers (float32 and bfloat16) with the previous version as the base, and a
 * follower that holds the previous version fetches them over loopback TCP. Reported per step, from
 * the second on (the first has no base): the servers' bytes sent ÷ the bytes of the whole version
 * in float32 frames, and the fraction of values whose wire encoding changed. Twice: at the preset's
 * learning rate (3e-4, a fresh model learning fast) and at 1e-6 (the size of step RL fine-tuning of
 * a pretrained model takes).
 *
 * <p>Run with {@code verity bench --only delta}: 40 steps each; quick: 10.
 */
public final class DeltaBench implements Benchmark {
  private static final WeightFetch.Settings FETCH =
      new WeightFetch.Settings(Duration.ofSeconds(5), Duration.ofSeconds(10), 1);

  @Override
  public String name() {
    return "delta";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    int steps = run.quick() ? 10 : 40;
    List<Figure> figures = new ArrayList<>();
    figures.addAll(measure(run, steps, null));
    figures.addAll(measure(run, steps, 1e-6));
    return figures;
  }

  /** One follower of one server: what it holds, and the bytes the server sent it from step 2 on. */
  private static final class Lane {
    final WireDtype dtype;
    final ServedVersions versions = new ServedVersions();
    WeightServer server;
    FlatWeights served;
    FlatWeights held;
    long bytes;
    long changed;
    long whole;

    Lane(WireDtype dtype) {
      this.dtype = dtype;
    }

    void publish(ActorSystem<?> system, FlatWeights now, boolean counted) throws Exception {
      FlatWeights next =
          dtype == WireDtype.FLOAT32
              ? now
              : new FlatWeights(dtype.roundedHeader(now), now.values());
      if (counted) {
        changed += changedValues(served.values(), next.values(), dtype);
      }
      versions.offer(ServedVersion.complete(next, served, chunkValues(), dtype));
      long before = server.bytesSent();
      PartialVersion target = new PartialVersion(next.header(), chunkValues(), dtype, held);
      held =
          WeightFetch.run(system, target, server.address(), server.address(), FETCH)
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      if (counted) {
        bytes += server.bytesSent() - before;
      } else {
        whole = server.bytesSent() - before; // the first version: no base, sent whole
      }
      served = next;
    }
  }

  private static int chunkValues() {
    return 262_144; // verity.learner.weight-chunk-values' default
  }

  private static long changedValues(WeightValues before, WeightValues after, WireDtype dtype) {
    long n = 0;
    for (int t = 0; t < after.tensorCount(); t++) {
      float[] b = before.tensor(t);
      float[] a = after.tensor(t);
      for (int i = 0; i < a.length; i++) {
        if (Float.floatToRawIntBits(dtype.round(b[i]))
            != Float.floatToRawIntBits(dtype.round(a[i]))) {
          n++;
        }
      }
    }
    return n;
  }

  private List<Figure> measure(BenchRun run, int steps, Double learningRate) throws Exception {
    Map<String, Object> overrides =
        learningRate == null
            ? Map.of("verity.policy.kind", "transformer")
            : Map.of(
                "verity.policy.kind", "transformer", "verity.learner.learning-rate", learningRate);
    RunPlan plan =
        LearningSpeedBench.plan(
            1,
            run.workDir().resolve("delta-" + (learningRate == null ? "preset" : "1e-6")),
            overrides);
    String lr = learningRate == null ? "the preset's learning rate 3e-4" : "learning rate 1e-6";
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "delta",
            ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = ERROR")
                .withFallback(ConfigFactory.load()));
    Lane fp32 = new Lane(WireDtype.FLOAT32);
    Lane bf16 = new Lane(WireDtype.BFLOAT16);
    long[] parameters = new long[1];
    try {
      for (Lane lane : List.of(fp32, bf16)) {
        lane.server =
            WeightServer.bind(system, "127.0.0.1", "127.0.0.1", 0, lane.versions)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
      }
      PlainGrpoLoop.run(
          plan,
          2.0, // never reached: a fixed number of steps
          steps,
          run.log(),
          (step, policy) -> {
            FlatWeights now = policy.exportWeights(PolicyVersion.of(step));
            parameters[0] = now.values().length();
            for (Lane lane : List.of(fp32, bf16)) {
              lane.publish(system, now, step > 1);
            }
          });
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    long n = parameters[0];
    int counted = steps - 1;
    double wholeFp32 = fp32.whole;
    List<Figure> figures = new ArrayList<>();
    String what =
        String.format(
            Locale.ROOT,
            "weight plane, bytes per step of a real run (GRPO on arith, the dev transformer of"
                + " %,d parameters, %s, seed 1, steps 2-%d, mean)",
            n,
            lr,
            steps);
    double fp32PerStep = fp32.bytes / (double) counted;
    double bf16PerStep = bf16.bytes / (double) counted;
    run.log()
        .printf(
            Locale.ROOT,
            "  %s (%s): float32 differences %.0f B/step (%.4f of values changed), bfloat16"
                + " differences %.0f B/step (%.4f changed); whole float32 %.0f B, bfloat16 %d B%n",
            lr,
            plan.learner().optimization(),
            fp32PerStep,
            fp32.changed / (double) (n * counted),
            bf16PerStep,
            bf16.changed / (double) (n * counted),
            wholeFp32,
            bf16.whole);
    figures.add(lane("float32", what, fp32, n * counted, fp32PerStep, wholeFp32));
    figures.add(lane("bfloat16", what, bf16, n * counted, bf16PerStep, wholeFp32));
    return figures;
  }

  /** One lane's figure: its differences per step ÷ the whole version in float32. */
  private static Figure lane(
      String dtype, String what, Lane lane, long valuesSent, double perStep, double wholeFp32) {
    return Figure.of(
        what + "; " + dtype + " differences ÷ the whole version in float32",
        String.format(
            Locale.ROOT,
            "%,.0f B (%.2f %% of values changed)",
            perStep,
            100.0 * lane.changed / valuesSent),
        String.format(Locale.ROOT, "%,.0f B", wholeFp32),
        perStep / wholeFp32);
  }
}
