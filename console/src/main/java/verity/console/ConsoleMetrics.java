package verity.console;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Verdict;

/**
 * The run's Prometheus metrics, in Micrometer's Prometheus registry: one series per actor with the
 * labels {@code actor}, {@code kind}, {@code role} and {@code node}; per node heap, CPU and
 * threads; per verifier its verdicts by reason; and the learner's latest step. The values are read
 * from the console's model when Prometheus scrapes.
 */
public final class ConsoleMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<Object, List<Meter>> meters = new IdentityHashMap<>();
  private final Map<String, NodeHolder> nodes = new HashMap<>();
  private final Training training = new Training();

  /** The latest figures of one node. */
  private static final class NodeHolder {
    volatile TrainingEvent.NodeStatus status;
    volatile double up;
  }

  /** The learner's latest step and evaluation. */
  private static final class Training {
    volatile double step = Double.NaN;
    volatile double version = Double.NaN;
    volatile double reward = Double.NaN;
    volatile double solved = Double.NaN;
    volatile double loss = Double.NaN;
    volatile double kl = Double.NaN;
    volatile double entropy = Double.NaN;
    volatile double gradNorm = Double.NaN;
    volatile double behaviourClip = Double.NaN;
    volatile double proximalClip = Double.NaN;
    volatile double truncated = Double.NaN;
    volatile double dropped = Double.NaN;
    volatile double referenceKl = Double.NaN;
    volatile double staleness = Double.NaN;
    volatile double passAt1 = Double.NaN;
    volatile double trajectories;
  }

  public ConsoleMetrics() {
    trainingGauge("verity.learner.step", "learner steps applied", t -> t.step);
    trainingGauge("verity.policy.version", "newest policy version", t -> t.version);
    trainingGauge("verity.batch.reward", "mean reward of the last batch", t -> t.reward);
    trainingGauge("verity.batch.solved.fraction", "solved share of the last batch", t -> t.solved);
    trainingGauge("verity.loss", "surrogate loss of the last step", t -> t.loss);
    trainingGauge("verity.approx.kl", "approximate KL of the last step", t -> t.kl);
    trainingGauge("verity.entropy", "policy entropy of the last step", t -> t.entropy);
    trainingGauge("verity.grad.norm", "gradient norm before clipping", t -> t.gradNorm);
    trainingGauge(
        "verity.clip.fraction.behaviour",
        "share of tokens whose current/behaviour ratio is outside the clip range (ppo)",
        t -> t.behaviourClip);
    trainingGauge(
        "verity.clip.fraction.proximal",
        "share of tokens whose current/proximal ratio is outside the clip range (decoupled-ppo)",
        t -> t.proximalClip);
    trainingGauge(
        "verity.behaviour.weight.truncated.fraction",
        "share of tokens whose importance weight was truncated to the cap (decoupled-ppo)",
        t -> t.truncated);
    trainingGauge(
        "verity.behaviour.weight.dropped.fraction",
        "share of tokens dropped for an importance weight above the cap (decoupled-ppo filter)",
        t -> t.dropped);
    trainingGauge(
        "verity.reference.kl",
        "mean k3 KL to the reference policy of the last step",
        t -> t.referenceKl);
    trainingGauge(
        "verity.staleness.mean", "mean versions behind in the last batch", t -> t.staleness);
    trainingGauge(
        "verity.eval.pass.at.1",
        "greedy pass@1 of the latest validation evaluation (on the training set for a suite that"
            + " holds nothing out)",
        t -> t.passAt1);
    FunctionCounter.builder("verity.trained.trajectories", training, t -> t.trajectories)
        .description("trajectories trained on")
        .register(registry);
  }

  private void trainingGauge(String name, String help, ToDoubleFunction<Training> f) {
    Gauge.builder(name, training, f).description(help).register(registry);
  }

  /** The Prometheus text exposition of every series. */
  public String scrape() {
    return registry.scrape();
  }

  synchronized void actor(ConsoleModel.ActorView view) {
    TrainingEvent.ActorStatus s = view.status;
    Tags tags =
        Tags.of(
            "actor", s.actor(),
            "kind", s.kind(),
            "role", ConsoleModel.roleOf(s.kind()),
            "node", s.node());
    forget(view);
    List<Meter> list = new ArrayList<>();
    list.add(
        gauge(
            "verity.actor.queue.depth",
            "work waiting for the actor",
            tags,
            view,
            v -> v.status.queueDepth()));
    list.add(
        gauge(
            "verity.actor.in.flight",
            "work the actor has started",
            tags,
            view,
            v -> v.status.inFlight()));
    list.add(
        FunctionCounter.builder("verity.actor.processed", view, v -> v.status.processed())
            .description("work the actor finished (leases, trajectories, verdicts, steps)")
            .tags(tags)
            .register(registry));
    list.add(
        FunctionCounter.builder("verity.actor.errors", view, v -> v.status.errors())
            .description("failures of the actor so far")
            .tags(tags)
            .register(registry));
    list.add(
        FunctionCounter.builder("verity.actor.restarts", view, v -> v.status.restarts())
            .description("restarts of the actor by its supervisor after a failure")
            .tags(tags)
            .register(registry));
    list.add(
        gauge(
            "verity.actor.throughput",
            "work finished per second",
            tags,
            view,
            v -> v.rate.perSecond));
    list.add(
        gauge(
            "verity.actor.latency.p50.seconds",
            "median latency of the actor's work",
            tags,
            view,
            v -> seconds(v.status.p50Millis())));
    list.add(
        gauge(
            "verity.actor.latency.p99.seconds",
            "99th-percentile latency of the actor's work",
            tags,
            view,
            v -> seconds(v.status.p99Millis())));
    list.add(
        gauge(
            "verity.actor.policy.version",
            "policy version the actor works with",
            tags,
            view,
            v -> v.status.policyVersion() < 0 ? Double.NaN : v.status.policyVersion()));
    list.add(
        gauge(
            "verity.actor.policy.epoch",
            "epoch of that policy version (bumped by every learner resume)",
            tags,
            view,
            v -> v.status.policyEpoch() < 0 ? Double.NaN : v.status.policyEpoch()));
    list.add(
        gauge(
            "verity.actor.staleness.versions",
            "versions behind the learner",
            tags,
            view,
            v -> v.staleness() < 0 ? Double.NaN : v.staleness()));
    list.add(
        gauge(
            "verity.actor.last.seen.seconds",
            "seconds since the actor last reported",
            tags,
            view,
            v -> (System.nanoTime() - v.seenNanos) / 1e9));
    meters.put(view, list);
  }

  synchronized void verifier(ConsoleModel.VerifierView view) {
    TrainingEvent.VerifierReport r = view.report;
    Tags tags =
        Tags.of(
            "actor",
            r.verifier(),
            "kind",
            "verifier",
            "role",
            "reward",
            "node",
            view.node,
            "suite",
            r.suite());
    forget(view);
    List<Meter> list = new ArrayList<>();
    for (Verdict.Reason reason : Verdict.Reason.values()) {
      list.add(
          FunctionCounter.builder("verity.verifier.verdicts", view, v -> v.report.count(reason))
              .description("verdicts by reason")
              .tags(tags.and("verdict", reason.label()))
              .register(registry));
    }
    list.add(
        gauge(
            "verity.verifier.breaker.open",
            "1 while the suite's circuit breaker is open",
            tags,
            view,
            v -> v.report.breaker().equals("closed") ? 0 : 1));
    list.add(
        FunctionCounter.builder(
                "verity.verifier.infrastructure.failures",
                view,
                v -> v.report.infrastructureFailures())
            .description("sandbox or executor failures, retried")
            .tags(tags)
            .register(registry));
    meters.put(view, list);
  }

  synchronized void forget(Object view) {
    List<Meter> old = meters.remove(view);
    if (old != null) {
      old.forEach(registry::remove);
    }
  }

  synchronized void node(TrainingEvent.NodeStatus s) {
    NodeHolder h = nodes.get(s.address());
    if (h == null) {
      h = new NodeHolder();
      h.status = s;
      h.up = 1;
      nodes.put(s.address(), h);
      Tags tags = Tags.of("node", s.node(), "address", s.address());
      List<Meter> list = new ArrayList<>();
      list.add(
          gauge(
              "verity.node.heap.used.bytes",
              "heap in use",
              tags,
              h,
              n -> n.status.heapUsedBytes()));
      list.add(
          gauge(
              "verity.node.heap.max.bytes", "largest heap", tags, h, n -> n.status.heapMaxBytes()));
      list.add(
          gauge(
              "verity.node.process.cpu.load",
              "the node JVM's share of the CPU, 0..1",
              tags,
              h,
              n -> n.status.processCpuLoad() < 0 ? Double.NaN : n.status.processCpuLoad()));
      list.add(gauge("verity.node.threads", "live threads", tags, h, n -> n.status.threads()));
      list.add(gauge("verity.node.up", "1 while the node is an Up member", tags, h, n -> n.up));
      meters.put(h, list);
    }
    h.status = s;
  }

  synchronized void members(Collection<ConsoleModel.Member> members, Set<String> reporting) {
    for (Map.Entry<String, NodeHolder> e : nodes.entrySet()) {
      e.getValue().up =
          members.stream().anyMatch(m -> m.address().equals(e.getKey()) && m.status().equals("Up"))
              ? 1
              : 0;
    }
    nodes
        .entrySet()
        .removeIf(
            e -> {
              boolean gone = !reporting.contains(e.getKey());
              if (gone) {
                forget(e.getValue());
              }
              return gone;
            });
  }

  void step(TrainingEvent.StepCompleted s) {
    training.step = s.step();
    training.version = s.version().value();
    training.reward = s.metrics().batchReward();
    training.solved = s.metrics().solvedFraction();
    training.loss = s.metrics().loss();
    training.kl = s.metrics().approxKl();
    training.entropy = s.metrics().entropy();
    training.gradNorm = s.metrics().gradNorm();
    training.behaviourClip = s.metrics().behaviourClipFraction();
    training.proximalClip = s.metrics().proximalClipFraction();
    training.truncated = s.metrics().truncatedFraction();
    training.dropped = s.metrics().droppedFraction();
    training.referenceKl = s.metrics().referenceKl();
    training.staleness = s.metrics().meanStaleness();
    training.trajectories += s.metrics().trajectories();
  }

  void evaluation(TrainingEvent.EvaluationCompleted e) {
    if (e.purpose().equals("validation")) {
      training.passAt1 = e.passAt1();
    }
  }

  private <T> Meter gauge(String name, String help, Tags tags, T holder, ToDoubleFunction<T> f) {
    return Gauge.builder(name, holder, f)
        .description(help)
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  private static double seconds(double millis) {
    return millis < 0 ? Double.NaN : millis / 1000.0;
  }
}
