package verity.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Verdict;

/**
 * What the console knows of the run, built from the cluster's training events and its membership,
 * and the JSON every page and API answer is made of. Written by the console's feed actor, read by
 * the HTTP routes: every method is synchronized, and the JSON is built under the lock.
 */
public final class ConsoleModel {
  /** Actors and verifiers not heard of for this long are dropped from the pages and metrics. */
  static final long FORGET_AFTER_NANOS = 120_000_000_000L;

  private static final int MAX_STEPS = 20_000;
  private static final int MAX_SAMPLES = 1_000;

  static final ObjectMapper JSON = new ObjectMapper();

  private final LongSupplier clock;
  private final long startNanos;
  private final ConsoleMetrics metrics;

  /** One member of the cluster as the console last saw it. */
  public record Member(
      String address, List<String> roles, String status, boolean reachable, boolean self) {}

  /** The latest status of one actor and what the one before it said, for its throughput. */
  static final class ActorView {
    volatile TrainingEvent.ActorStatus status;
    volatile long seenNanos;
    final Rate rate;
    volatile PolicyVersion latestVersion;

    ActorView(TrainingEvent.ActorStatus status, long now) {
      this.status = status;
      this.seenNanos = now;
      this.rate = new Rate(status.processed(), now);
    }

    long staleness() {
      // Versions of an earlier epoch may or may not be ancestors of the learner's: not compared.
      long v = status.policyVersion();
      PolicyVersion latest = latestVersion;
      return v < 0 || latest == null || status.policyEpoch() != latest.epoch()
          ? -1
          : Math.max(0, latest.value() - v);
    }
  }

  /** The latest report of one verifier and its rate. */
  static final class VerifierView {
    volatile TrainingEvent.VerifierReport report;
    volatile String node;
    volatile long seenNanos;
    final Rate rate;

    VerifierView(TrainingEvent.VerifierReport report, String node, long now) {
      this.report = report;
      this.node = node;
      this.seenNanos = now;
      this.rate = new Rate(report.scored(), now);
    }
  }

  /** Units per second of a cumulative counter, measured over at least a second. */
  static final class Rate {
    private long baseCount;
    private long baseNanos;
    volatile double perSecond;

    Rate(long count, long now) {
      baseCount = count;
      baseNanos = now;
    }

    void update(long count, long now) {
      double dt = (now - baseNanos) / 1e9;
      if (dt >= 1.0) {
        perSecond = (count - baseCount) / dt;
        baseCount = count;
        baseNanos = now;
      }
    }
  }

  private record StepPoint(long seq, double timeSeconds, TrainingEvent.StepCompleted step) {}

  private record EvaluationPoint(
      long seq, double timeSeconds, TrainingEvent.EvaluationCompleted evaluation) {}

  private record Sample(double timeSeconds, TrainingEvent.TrajectorySample sample) {}

  private record NodeView(TrainingEvent.NodeStatus status, long seenNanos) {}

  private List<Member> members = List.of();
  private String selfAddress = "";
  private String leader = "";
  private final Map<String, NodeView> nodes = new TreeMap<>();
  private final Map<String, ActorView> actors = new TreeMap<>();
  private final Map<String, VerifierView> verifiers = new TreeMap<>();
  private final ArrayList<StepPoint> steps = new ArrayList<>();
  private final ArrayList<EvaluationPoint> evaluations = new ArrayList<>();
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private long nextSeq = 1;
  private PolicyVersion latestVersion;
  private Optional<Boolean> paused = Optional.empty();

  public ConsoleModel(ConsoleMetrics metrics) {
    this(metrics, System::nanoTime);
  }

  ConsoleModel(ConsoleMetrics metrics, LongSupplier clock) {
    this.metrics = metrics;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
  }

  // ---- writes (the feed actor) ----

  public synchronized void apply(TrainingEvent event) {
    long now = clock.getAsLong();
    if (event instanceof TrainingEvent.ActorStatus s) {
      onActorStatus(s, now);
    } else if (event instanceof TrainingEvent.NodeStatus s) {
      nodes.put(s.address(), new NodeView(s, now));
      metrics.node(s);
    } else if (event instanceof TrainingEvent.StepCompleted s) {
      onStep(s, now);
    } else if (event instanceof TrainingEvent.EvaluationCompleted e) {
      evaluations.add(new EvaluationPoint(nextSeq++, seconds(now), e));
      metrics.evaluation(e);
    } else if (event instanceof TrainingEvent.TrajectorySample s) {
      samples.addFirst(new Sample(seconds(now), s));
      while (samples.size() > MAX_SAMPLES) {
        samples.removeLast();
      }
    } else if (event instanceof TrainingEvent.VerifierReport r) {
      onVerifierReport(r, now);
    }
  }

  private void onActorStatus(TrainingEvent.ActorStatus s, long now) {
    ActorView view = actors.get(s.actor());
    if (view == null || s.processed() < view.status.processed()) {
      view = new ActorView(s, now); // new, or restarted: its counters began again
      actors.put(s.actor(), view);
      metrics.actor(view);
    } else {
      view.rate.update(s.processed(), now);
      view.status = s;
      view.seenNanos = now;
    }
    view.latestVersion = latestVersion;
    if (s.kind().equals("task-source")) {
      paused = Optional.of(s.state().equals("paused"));
    }
  }

  private void onStep(TrainingEvent.StepCompleted s, long now) {
    while (!steps.isEmpty() && steps.get(steps.size() - 1).step().step() >= s.step()) {
      steps.remove(steps.size() - 1); // the learner resumed from an earlier checkpoint
    }
    steps.add(new StepPoint(nextSeq++, seconds(now), s));
    if (steps.size() > MAX_STEPS) {
      steps.subList(0, steps.size() - MAX_STEPS).clear();
    }
    latestVersion = s.version();
    actors.values().forEach(a -> a.latestVersion = latestVersion);
    metrics.step(s);
  }

  private void onVerifierReport(TrainingEvent.VerifierReport r, long now) {
    VerifierView view = verifiers.get(r.verifier());
    String node =
        r.verifier().contains(":") ? r.verifier().substring(0, r.verifier().indexOf(':')) : "";
    if (view == null || r.scored() < view.report.scored()) {
      view = new VerifierView(r, node, now);
      verifiers.put(r.verifier(), view);
      metrics.verifier(view);
    } else {
      view.rate.update(r.scored(), now);
      view.report = r;
      view.seenNanos = now;
    }
  }

  /** The cluster as it is now; also forgets actors and verifiers gone for long. */
  public synchronized void members(List<Member> members, String selfAddress, String leader) {
    this.members = List.copyOf(members);
    this.selfAddress = selfAddress;
    this.leader = leader;
    long now = clock.getAsLong();
    forgetGone(actors, a -> a.seenNanos, now);
    forgetGone(verifiers, v -> v.seenNanos, now);
    nodes.keySet().removeIf(a -> members.stream().noneMatch(m -> m.address().equals(a)));
    metrics.members(members, nodes.keySet());
  }

  /** Drops the views not heard of for {@link #FORGET_AFTER_NANOS}, and their metric series. */
  private <V> void forgetGone(
      Map<String, V> views, java.util.function.ToLongFunction<V> seenNanos, long now) {
    views
        .values()
        .removeIf(
            v -> {
              boolean gone = now - seenNanos.applyAsLong(v) > FORGET_AFTER_NANOS;
              if (gone) {
                metrics.forget(v);
              }
              return gone;
            });
  }

  public synchronized void paused(boolean isPaused) {
    paused = Optional.of(isPaused);
  }

  public synchronized Optional<Boolean> paused() {
    return paused;
  }

  // ---- reads (the HTTP routes) ----

  public synchronized ObjectNode cluster() {
    ObjectNode root = JSON.createObjectNode();
    root.put("self", selfAddress);
    root.put("leader", leader);
    putPaused(root);
    ArrayNode list = root.putArray("members");
    long now = clock.getAsLong();
    for (Member m : members) {
      ObjectNode o = list.addObject();
      o.put("address", m.address());
      NodeView n = nodes.get(m.address());
      o.put("node", n != null ? n.status().node() : hostPort(m.address()));
      ArrayNode roles = o.putArray("roles");
      m.roles().forEach(roles::add);
      o.put("status", m.status());
      o.put("reachable", m.reachable());
      o.put("self", m.self());
      if (n != null) {
        TrainingEvent.NodeStatus s = n.status();
        o.put("heapUsedBytes", s.heapUsedBytes());
        o.put("heapMaxBytes", s.heapMaxBytes());
        putLoad(o, "processCpuLoad", s.processCpuLoad());
        putLoad(o, "systemCpuLoad", s.systemCpuLoad());
        o.put("availableProcessors", s.availableProcessors());
        o.put("threads", s.threads());
        o.put("uptimeSeconds", s.uptimeSeconds());
        o.put("reportAgeSeconds", (now - n.seenNanos()) / 1e9);
      } else {
        for (String k :
            List.of(
                "heapUsedBytes",
                "heapMaxBytes",
                "processCpuLoad",
                "systemCpuLoad",
                "availableProcessors",
                "threads",
                "uptimeSeconds",
                "reportAgeSeconds")) {
          o.putNull(k);
        }
      }
    }
    return root;
  }

  public synchronized ObjectNode actors() {
    ObjectNode root = JSON.createObjectNode();
    root.put("latestVersion", latestVersion == null ? -1 : latestVersion.value());
    root.put("latestEpoch", latestVersion == null ? -1 : latestVersion.epoch());
    ArrayNode list = root.putArray("actors");
    long now = clock.getAsLong();
    for (ActorView v : actors.values()) {
      TrainingEvent.ActorStatus s = v.status;
      ObjectNode o = list.addObject();
      o.put("actor", s.actor());
      o.put("kind", s.kind());
      o.put("node", s.node());
      o.put("role", roleOf(s.kind()));
      o.put("state", s.state());
      o.put("queueDepth", s.queueDepth());
      o.put("inFlight", s.inFlight());
      o.put("processed", s.processed());
      o.put("throughputPerSecond", v.rate.perSecond);
      putNonNegative(o, "latencyP50Millis", s.p50Millis());
      putNonNegative(o, "latencyP99Millis", s.p99Millis());
      putNonNegative(o, "policyVersion", s.policyVersion());
      putNonNegative(o, "policyEpoch", s.policyEpoch());
      putNonNegative(o, "staleness", v.staleness());
      o.put("errors", s.errors());
      o.put("restarts", s.restarts());
      o.put("lastSeenSecondsAgo", (now - v.seenNanos) / 1e9);
    }
    return root;
  }

  /** Steps and evaluations with a sequence number above {@code since}; and the newest number. */
  public synchronized ObjectNode training(long since) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("steps");
    long last = since;
    for (StepPoint p : steps) {
      if (p.seq() <= since) {
        continue;
      }
      last = Math.max(last, p.seq());
      StepMetrics m = p.step().metrics();
      ObjectNode o = list.addObject();
      o.put("step", p.step().step());
      o.put("version", p.step().version().value());
      o.put("epoch", p.step().version().epoch());
      o.put("timeSeconds", p.timeSeconds());
      putFinite(o, "batchReward", m.batchReward());
      putFinite(o, "solvedFraction", m.solvedFraction());
      putFinite(o, "loss", m.loss());
      putFinite(o, "approxKl", m.approxKl());
      putFinite(o, "entropy", m.entropy());
      putFinite(o, "gradNorm", m.gradNorm());
      putFinite(o, "behaviourClipFraction", m.behaviourClipFraction());
      putFinite(o, "proximalClipFraction", m.proximalClipFraction());
      putFinite(o, "truncatedFraction", m.truncatedFraction());
      putFinite(o, "droppedFraction", m.droppedFraction());
      putFinite(o, "referenceKl", m.referenceKl());
      o.put("updates", m.updates());
      putFinite(o, "meanStaleness", m.meanStaleness());
      o.put("maxStaleness", m.maxStaleness());
      o.put("trajectories", m.trajectories());
      o.put("tokens", m.tokens());
    }
    ArrayNode evals = root.putArray("evaluations");
    for (EvaluationPoint p : evaluations) {
      if (p.seq() <= since) {
        continue;
      }
      last = Math.max(last, p.seq());
      ObjectNode o = evals.addObject();
      o.put("version", p.evaluation().version().value());
      putFinite(o, "passAt1", p.evaluation().passAt1());
      o.put("tasks", p.evaluation().tasks());
      o.put("purpose", p.evaluation().purpose());
      o.put("split", p.evaluation().split());
      o.put("timeSeconds", p.timeSeconds());
    }
    root.put("last", last);
    return root;
  }

  /**
   * Sampled trajectories, newest first, that match every filter given: suite, verdict label, and a
   * policy version that produced any of their tokens.
   */
  public synchronized ObjectNode trajectories(
      Optional<String> suite, Optional<String> verdict, Optional<Long> version, int limit) {
    ObjectNode root = JSON.createObjectNode();
    TreeSet<String> suites = new TreeSet<>();
    samples.forEach(s -> suites.add(s.sample().suite()));
    ArrayNode suiteList = root.putArray("suites");
    suites.forEach(suiteList::add);
    ArrayNode verdicts = root.putArray("verdicts");
    for (Verdict.Reason r : Verdict.Reason.values()) {
      verdicts.add(r.label());
    }
    root.put("total", samples.size());
    ArrayNode list = root.putArray("trajectories");
    int n = 0;
    for (Sample entry : samples) {
      TrainingEvent.TrajectorySample s = entry.sample();
      if (suite.isPresent() && !suite.get().equals(s.suite())
          || verdict.isPresent() && !verdict.get().equals(s.verdict())
          || version.isPresent()
              && java.util.Arrays.stream(s.versions()).noneMatch(v -> v == version.get())) {
        continue;
      }
      if (n++ >= limit) {
        break;
      }
      ObjectNode o = list.addObject();
      o.put("id", s.id());
      o.put("suite", s.suite());
      o.put("task", s.task());
      o.put("verdict", s.verdict());
      o.put("reward", s.reward());
      o.put("detail", s.detail());
      o.put("prompt", s.prompt());
      o.put("completion", s.completion());
      ArrayNode vs = o.putArray("versions");
      for (long v : s.versions()) {
        vs.add(v);
      }
      o.put("worker", s.worker());
      o.put("verifier", s.verifier());
      o.put("checkMillis", s.checkMillis());
      o.put("tokens", s.tokens());
      o.put("timeSeconds", entry.timeSeconds());
    }
    return root;
  }

  public synchronized ObjectNode verifiers() {
    ObjectNode root = JSON.createObjectNode();
    Map<String, List<VerifierView>> bySuite = new LinkedHashMap<>();
    verifiers.values().stream()
        .sorted(Comparator.comparing(v -> v.report.suite()))
        .forEach(v -> bySuite.computeIfAbsent(v.report.suite(), k -> new ArrayList<>()).add(v));
    ArrayNode suites = root.putArray("suites");
    long now = clock.getAsLong();
    for (Map.Entry<String, List<VerifierView>> e : bySuite.entrySet()) {
      ObjectNode o = suites.addObject();
      o.put("suite", e.getKey());
      o.put("verifiers", e.getValue().size());
      long scored = 0;
      long infra = 0;
      long queued = 0;
      double rate = 0;
      double p50 = 0;
      double p99 = 0;
      long[] byReason = new long[Verdict.Reason.values().length];
      String breaker = "closed";
      for (VerifierView v : e.getValue()) {
        TrainingEvent.VerifierReport r = v.report;
        scored += r.scored();
        infra += r.infrastructureFailures();
        queued += r.queued();
        rate += v.rate.perSecond;
        p50 = Math.max(p50, r.p50Millis());
        p99 = Math.max(p99, r.p99Millis());
        for (Verdict.Reason reason : Verdict.Reason.values()) {
          byReason[reason.ordinal()] += r.count(reason);
        }
        breaker = worse(breaker, r.breaker());
      }
      o.put("scored", scored);
      o.put("verdictsPerSecond", rate);
      putVerdicts(o, byReason);
      o.put("timeouts", byReason[Verdict.Reason.TIMEOUT.ordinal()]);
      o.put("infrastructureFailures", infra);
      o.put("p50Millis", p50);
      o.put("p99Millis", p99);
      o.put("queued", queued);
      o.put("breaker", breaker);
    }
    ArrayNode list = root.putArray("verifiers");
    for (VerifierView v : verifiers.values()) {
      TrainingEvent.VerifierReport r = v.report;
      ObjectNode o = list.addObject();
      o.put("verifier", r.verifier());
      o.put("node", v.node);
      o.put("suite", r.suite());
      o.put("scored", r.scored());
      o.put("verdictsPerSecond", v.rate.perSecond);
      long[] byReason = new long[Verdict.Reason.values().length];
      for (Verdict.Reason reason : Verdict.Reason.values()) {
        byReason[reason.ordinal()] = r.count(reason);
      }
      putVerdicts(o, byReason);
      o.put("p50Millis", r.p50Millis());
      o.put("p99Millis", r.p99Millis());
      o.put("queued", r.queued());
      o.put("breaker", r.breaker());
      o.put("infrastructureFailures", r.infrastructureFailures());
      o.put("lastSeenSecondsAgo", (now - v.seenNanos) / 1e9);
    }
    return root;
  }

  public synchronized ObjectNode rollouts() {
    ObjectNode root = JSON.createObjectNode();
    putPaused(root);
    return root;
  }

  // ---- helpers ----

  private void putPaused(ObjectNode root) {
    root.put("paused", paused.orElse(false));
    root.put("state", paused.map(p -> p ? "paused" : "running").orElse("unknown"));
  }

  private static void putVerdicts(ObjectNode o, long[] byReason) {
    ObjectNode verdicts = o.putObject("verdicts");
    for (Verdict.Reason reason : Verdict.Reason.values()) {
      verdicts.put(reason.label(), byReason[reason.ordinal()]);
    }
  }

  private static String worse(String a, String b) {
    return rank(b) > rank(a) ? b : a;
  }

  private static int rank(String breaker) {
    return switch (breaker) {
      case "open" -> 2;
      case "half-open" -> 1;
      default -> 0;
    };
  }

  /** The cluster role an actor kind belongs to. */
  static String roleOf(String kind) {
    return switch (kind) {
      case "rollout-worker" -> "rollout";
      case "verifier" -> "reward";
      case "evaluator" -> "console";
      default -> "learner";
    };
  }

  private double seconds(long now) {
    return (now - startNanos) / 1e9;
  }

  private static String hostPort(String address) {
    int at = address.indexOf('@');
    return at < 0 ? address : address.substring(at + 1);
  }

  private static void putFinite(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  private static void putNonNegative(ObjectNode o, String key, double v) {
    if (v >= 0 && Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  private static void putNonNegative(ObjectNode o, String key, long v) {
    if (v >= 0) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  private static void putLoad(ObjectNode o, String key, double v) {
    putNonNegative(o, key, v);
  }
}
