package verity.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializationExtension;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import verity.actors.cluster.JournalDatabase;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Segment;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.bench.controlplane.LearnerStandIn;
import verity.bench.controlplane.Meter;
import verity.bench.controlplane.Rig;
import verity.bench.controlplane.SimulatedVerifier;
import verity.bench.controlplane.SimulatedWorker;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.arith.ArithmeticSuite;
import verity.policy.CharacterTokenizer;
import verity.rollout.RolloutSettings;
import verity.rollout.TaskSource;

/**
 * Control-plane scale: how many leases, trajectories and verdicts per second the task source,
 * verifier hand-off and learner coordination sustain on this machine when nothing else costs time,
 * and at how many rollout workers lease latency p99 passes 100 ms. This is what plans a run of
 * thousands of GPUs on one coordinating node.
 *
 * <p>Real: the {@link TaskSource} (event-sourced, every lease and settlement journaled to H2
 * through akka-persistence-jdbc), the learner's {@code TrainingLedger} (every step journaled before
 * its leases are settled), the receptionist and the group router to the verifier pool, all in one
 * actor system with {@code serialize-messages = on} as on a dev node, and real {@link Trajectory}
 * records. Akka does not round-trip messages to message adapters, so of the messages here Kryo
 * round-trips the lease requests, the trajectory batches offered to verifiers and the scored
 * batches to the learner (which would cross the wire in a cluster), not the small lease grants and
 * settlements. Simulated: the {@link SimulatedWorker}s (no model; a group of fixed-length
 * completions at once), the {@link SimulatedVerifier}s (no sandbox; a verdict at once) and the
 * {@link LearnerStandIn}, which does what the learner does around a step but with a step that takes
 * no time: the real {@code Learner} builds its DJL replica and trainer before it takes any
 * trajectory, so it cannot run without a model.
 *
 * <p>Each rung of the ladder of worker counts runs in an actor system of its own on a fresh
 * journal, is warmed up, then measured for a fixed time. The lease window ({@code
 * max-outstanding-tasks}) is set to {@code 2 x workers x tasks-per-request + 2 x batch-groups} so
 * that it is not what limits: a worker holds one request's leases while it offers them and may ask
 * for the next before the learner settles them, and the learner holds up to a step's worth in
 * partial groups plus the step being journaled. Tasks per request and the group size are the
 * rollout module's defaults. The ladder stops at the first rung whose lease p99 passes 100 ms, or
 * when the next rung would not fit the time budget.
 */
public final class ControlPlaneBench implements Benchmark {

  private static final double THRESHOLD_MILLIS = 100;
  private static final String THRESHOLD = "100 ms p99 threshold";

  /** Tokens of every simulated completion: a short reasoning answer, as a modest message size. */
  private static final int COMPLETION_TOKENS = 64;

  /** Mode-dependent knobs. */
  private record Plan(
      List<Integer> ladder, Duration warmup, Duration measure, Duration budget, int jitWorkers) {}

  /** One measured rung. */
  private record Rung(int workers, int window, Meter.Reading reading, double wallSeconds) {}

  @Override
  public String name() {
    return "control-plane";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    Plan plan =
        run.quick()
            ? new Plan(
                List.of(1, 4, 16, 64, 256),
                Duration.ofMillis(1500),
                Duration.ofSeconds(4),
                Duration.ofSeconds(30),
                16)
            : new Plan(
                List.of(1, 4, 16, 64, 256, 1024, 4096),
                Duration.ofSeconds(3),
                Duration.ofSeconds(15),
                Duration.ofSeconds(280),
                16);
    Config defaults = VerityNode.load(ConfigFactory.empty());
    RolloutSettings rollout = RolloutSettings.from(defaults);
    int batchGroups = defaults.getInt("verity.learner.batch-groups");
    Suite suite = ArithmeticSuite.singleDigit();
    int cores = Runtime.getRuntime().availableProcessors();
    run.log()
        .printf(
            Locale.ROOT,
            "control plane: %d tasks per request x group size %d = %d trajectories per request,"
                + " %d-token completions, learner steps of %d groups, %s measured after %s"
                + " warm-up per rung%n",
            rollout.tasksPerRequest(),
            rollout.groupSize(),
            rollout.tasksPerRequest() * rollout.groupSize(),
            COMPLETION_TOKENS,
            batchGroups,
            plan.measure(),
            plan.warmup());

    long started = System.nanoTime();
    // Not reported: the first rung would otherwise also measure the JIT compiling this code path.
    Rung jit =
        measure(
            run, suite, plan.jitWorkers(), cores, rollout, batchGroups, plan, "jit-warmup", true);
    run.log().printf(Locale.ROOT, "  warm-up rung done (%.1f s)%n", jit.wallSeconds());

    List<Rung> rungs = new ArrayList<>();
    Integer crossing = null;
    String stoppedBecause = "the ladder ended";
    for (int workers : plan.ladder()) {
      double elapsed = (System.nanoTime() - started) / 1e9;
      double expected =
          rungs.isEmpty()
              ? jit.wallSeconds() + plan.measure().toSeconds()
              : rungs.get(rungs.size() - 1).wallSeconds() * 1.5;
      if (!rungs.isEmpty() && elapsed + expected > plan.budget().toSeconds()) {
        stoppedBecause =
            String.format(
                Locale.ROOT,
                "%d workers would not fit the %d s budget (%.0f s spent)",
                workers,
                plan.budget().toSeconds(),
                elapsed);
        break;
      }
      Rung r =
          measure(run, suite, workers, cores, rollout, batchGroups, plan, "w" + workers, false);
      rungs.add(r);
      Meter.Reading m = r.reading();
      run.log()
          .printf(
              Locale.ROOT,
              "  %5d workers (window %d): %s leases/s, %s trajectories/s, %s verdicts/s, %s"
                  + " leases settled/s (%d steps); lease latency p50 %s, p99 %s, max %s; %.1f s%n",
              workers,
              r.window(),
              Format.count(m.leasesPerSecond()),
              Format.count(m.trajectoriesPerSecond()),
              Format.count(m.verdictsPerSecond()),
              Format.count(m.settledPerSecond()),
              m.steps(),
              Format.millis(m.p50Millis()),
              Format.millis(m.p99Millis()),
              Format.millis(m.maxMillis()),
              r.wallSeconds());
      if (m.leases() == 0) {
        throw new IllegalStateException(
            "no lease reached a worker in " + plan.measure() + " with " + workers + " workers");
      }
      if (m.p99Millis() > THRESHOLD_MILLIS) {
        crossing = workers;
        stoppedBecause = "lease p99 passed 100 ms";
        break;
      }
      double planned = plan.warmup().toSeconds() + plan.measure().toSeconds() + 5;
      if (r.wallSeconds() > 2 * planned) {
        stoppedBecause =
            String.format(
                Locale.ROOT, "the rung took %.0f s (planned %.0f s)", r.wallSeconds(), planned);
        break;
      }
    }
    run.log().println("  ladder stopped: " + stoppedBecause);
    return figures(rungs, crossing);
  }

  private static List<Figure> figures(List<Rung> rungs, Integer crossing) {
    Rung one = rungs.get(0);
    Rung best = one;
    for (Rung r : rungs) {
      if (r.reading().leasesPerSecond() > best.reading().leasesPerSecond()) {
        best = r;
      }
    }
    String at = " (" + best.workers() + " workers)";
    String base = " (1 worker)";
    Meter.Reading b = best.reading();
    Meter.Reading o = one.reading();
    List<Figure> out = new ArrayList<>();
    out.add(
        Figure.of(
            "control plane (real task source + training ledger on H2, simulated workers,"
                + " verifiers and zero-time learner step): leases/s at the best rung vs 1 worker",
            Format.count(b.leasesPerSecond()) + " leases/s" + at,
            Format.count(o.leasesPerSecond()) + " leases/s" + base,
            b.leasesPerSecond() / o.leasesPerSecond()));
    out.add(
        Figure.of(
            "control plane: trajectories/s offered to verifiers at the best rung vs 1 worker",
            Format.count(b.trajectoriesPerSecond()) + " trajectories/s" + at,
            Format.count(o.trajectoriesPerSecond()) + " trajectories/s" + base,
            b.trajectoriesPerSecond() / o.trajectoriesPerSecond()));
    out.add(
        Figure.of(
            "control plane: verdicts/s reaching the learner at the best rung vs 1 worker",
            Format.count(b.verdictsPerSecond()) + " verdicts/s" + at,
            Format.count(o.verdictsPerSecond()) + " verdicts/s" + base,
            b.verdictsPerSecond() / o.verdictsPerSecond()));
    for (Rung r : rungs) {
      Meter.Reading m = r.reading();
      out.add(
          Figure.of(
              "control plane: lease latency p99, "
                  + r.workers()
                  + (r.workers() == 1 ? " worker" : " workers"),
              String.format(
                  Locale.ROOT,
                  "%s p99 (p50 %s; %s leases/s)",
                  Format.millis(m.p99Millis()),
                  Format.millis(m.p50Millis()),
                  Format.count(m.leasesPerSecond())),
              THRESHOLD,
              m.p99Millis() / THRESHOLD_MILLIS));
    }
    Rung last = rungs.get(rungs.size() - 1);
    out.add(
        Figure.of(
            "control plane: simulated workers at which lease latency p99 passes 100 ms",
            crossing != null
                ? crossing
                    + " workers"
                    + (rungs.size() > 1
                        ? " (" + rungs.get(rungs.size() - 2).workers() + " stayed under)"
                        : "")
                : "> " + last.workers() + " workers (the most tried)",
            THRESHOLD,
            Double.NaN));
    return out;
  }

  /** Runs one rung in an actor system of its own, on a journal of its own. */
  private static Rung measure(
      BenchRun run,
      Suite suite,
      int workers,
      int cores,
      RolloutSettings rollout,
      int batchGroups,
      Plan plan,
      String label,
      boolean logSizes)
      throws Exception {
    long t0 = System.nanoTime();
    int window = 2 * workers * rollout.tasksPerRequest() + 2 * batchGroups;
    Path dataDir = run.workDir().resolve(label);
    Config config =
        VerityNode.load(
            ConfigFactory.parseMap(
                Map.of(
                    "akka.remote.artery.canonical.port",
                    0,
                    "akka.loglevel",
                    "WARNING",
                    "verity.node-name",
                    "control-plane-bench",
                    "verity.data-dir",
                    dataDir.toString(),
                    "verity.rollout.max-outstanding-tasks",
                    window)));
    Meter meter = new Meter();
    // Verifiers scale out in a real run; here a few suffice, as each does next to nothing.
    int verifiers = Math.min(workers, Math.max(2, cores));
    Rig.Shape shape = new Rig.Shape(workers, verifiers, COMPLETION_TOKENS, batchGroups);
    ActorSystem<Rig.Start> system =
        ActorSystem.create(Rig.create(suite, shape, meter), "control-plane-" + label, config);
    try {
      VerityNode.joinSelf(system);
      JournalDatabase.ensureSchema(system).toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (logSizes) {
        logMessageSizes(run, system, suite, rollout);
      }
      system.tell(Rig.Start.INSTANCE);
      hold(plan.warmup());
      meter.open();
      hold(plan.measure());
      meter.close();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    return new Rung(workers, window, meter.read(), (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Waits out a fixed measurement window: nothing is polled, the actors run meanwhile and the meter
   * counts what they do.
   */
  private static void hold(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  /** What one trajectory and one request's worth of them cost on the wire. */
  private static void logMessageSizes(
      BenchRun run, ActorSystem<?> system, Suite suite, RolloutSettings rollout) {
    Task task = suite.generator(1).next();
    int[] tokens = new int[COMPLETION_TOKENS];
    float[] logProbs = new float[COMPLETION_TOKENS];
    java.util.Arrays.fill(logProbs, -1.25f);
    List<ScoredTrajectory> scored = new ArrayList<>();
    int n = rollout.tasksPerRequest() * rollout.groupSize();
    for (int i = 0; i < n; i++) {
      Trajectory t =
          new Trajectory(
              new TrajectoryId(new LeaseId(1_000_000L + i / rollout.groupSize()), i),
              suite.name(),
              new TaskId(task.id()),
              rollout.groupSize(),
              new CharacterTokenizer(suite.alphabet()).promptIds(task.prompt()),
              tokens,
              Trajectory.allSampled(COMPLETION_TOKENS),
              logProbs,
              "",
              List.of(new Segment(0, COMPLETION_TOKENS, PolicyVersion.INITIAL)),
              "worker-0");
      scored.add(new ScoredTrajectory(t, new Verdict(1.0, Verdict.Reason.CORRECT)));
    }
    var serialization = SerializationExtension.get(Adapter.toClassic(system));
    int one =
        serialization.serialize(new LearnerProtocol.ScoredBatch(scored.subList(0, 1))).get().length;
    int all = serialization.serialize(new LearnerProtocol.ScoredBatch(scored)).get().length;
    run.log()
        .printf(
            Locale.ROOT,
            "  on the wire (Kryo): a scored batch of 1 trajectory %d bytes, of %d (one request's"
                + " worth) %s%n",
            one,
            n,
            Format.mib(all));
  }
}
