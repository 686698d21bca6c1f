package verity.deploy.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.TrainingEvent.EvaluationCompleted;
import verity.envs.Split;
import verity.rollout.Evaluator;

/**
 * Watches a dev run from the training-events topic: prints one line per learner step and every
 * evaluation (naming its split), stops the run on the first of max-steps, max-minutes or target
 * pass@1 on the validation split, asks for a final evaluation of the newest version on the test
 * split, and completes the run's summary: initial and final pass@1 on test, the curve on validation
 * (each labelled {@code train} for a suite that holds nothing out).
 */
public final class RunMonitor extends AbstractBehavior<RunMonitor.Command> {

  /** A message the monitor accepts. */
  public sealed interface Command extends VerityMessage {}

  private record Event(TrainingEvent event) implements Command, LocalOnly {}

  /**
   * Stop at once (Ctrl-C): the summary is completed without a final evaluation, its final pass@1
   * NaN (the curve holds the last validation figures).
   */
  public record Interrupt() implements Command, LocalOnly {}

  private record FinalEvaluation(EvaluationCompleted result) implements Command, LocalOnly {}

  private enum Timeout implements Command, LocalOnly {
    MAX_MINUTES,
    FINAL_EVALUATION
  }

  private static final double RATE_WINDOW_SECONDS = 5.0;

  private final DevSettings settings;
  private final ActorRef<Evaluator.Command> evaluator;
  private final Consumer<String> out;
  private final CompletableFuture<RunSummary> result;
  private final TimerScheduler<Command> timers;
  private final long startNanos = System.nanoTime();
  private final Map<String, TrainingEvent.RolloutReport> rollouts = new HashMap<>();
  private final Map<String, Long> scoredByVerifier = new HashMap<>();
  private final ArrayDeque<double[]> rateWindow = new ArrayDeque<>(); // seconds, tokens, trajs
  private final List<RunSummary.CurvePoint> curve = new ArrayList<>();
  private double firstGenerationSeconds = -1;
  private double lastGenerationSeconds;
  private Double initialPass;
  private String testSplit = Split.TEST.label();
  private String validationSplit = Split.VALIDATION.label();
  private long lastTestLogged = -1;
  private long steps;
  private PolicyVersion version = PolicyVersion.INITIAL;
  private long consumed;
  private long rejectedStale;
  private long duplicates;
  private Long resumedFromVersion;
  private int warmStartSteps;
  private String stopReason;

  public static Behavior<Command> create(
      DevSettings settings,
      ActorRef<Evaluator.Command> evaluator,
      Consumer<String> out,
      CompletableFuture<RunSummary> result) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new RunMonitor(ctx, timers, settings, evaluator, out, result)));
  }

  private RunMonitor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      DevSettings settings,
      ActorRef<Evaluator.Command> evaluator,
      Consumer<String> out,
      CompletableFuture<RunSummary> result) {
    super(ctx);
    this.settings = settings;
    this.evaluator = evaluator;
    this.out = out;
    this.result = result;
    this.timers = timers;
    Topics.trainingEvents(ctx)
        .tell(Topic.subscribe(ctx.messageAdapter(TrainingEvent.class, Event::new)));
    if (settings.maxMinutes() > 0) {
      timers.startSingleTimer(
          Timeout.MAX_MINUTES, Duration.ofMillis((long) (settings.maxMinutes() * 60_000)));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, this::onEvent)
        .onMessage(FinalEvaluation.class, this::onFinalEvaluation)
        .onMessageEquals(Timeout.MAX_MINUTES, () -> stop("max-minutes"))
        .onMessageEquals(Timeout.FINAL_EVALUATION, this::onFinalEvaluationTimeout)
        .onMessage(Interrupt.class, i -> onInterrupt())
        .build();
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private Behavior<Command> onEvent(Event e) {
    TrainingEvent event = e.event();
    if (event instanceof TrainingEvent.StepCompleted s) {
      onStep(s);
    } else if (event instanceof EvaluationCompleted ev) {
      onEvaluation(ev);
    } else if (event instanceof TrainingEvent.RolloutReport r) {
      if (rollouts.put(r.worker(), r) == null) {
        out.accept(
            String.format(
                Locale.ROOT,
                "worker %s generating with %s  (%.1f s)",
                r.worker(),
                r.version(),
                seconds()));
      }
      double now = seconds();
      if (firstGenerationSeconds < 0) {
        firstGenerationSeconds = now - r.generateMillis() / 1000.0;
      }
      lastGenerationSeconds = now;
      rateWindow.add(new double[] {now, generatedTokens(), generatedTrajectories()});
      while (rateWindow.size() > 2 && now - rateWindow.peekFirst()[0] > RATE_WINDOW_SECONDS) {
        rateWindow.pollFirst();
      }
    } else if (event instanceof TrainingEvent.VerifierReport v) {
      scoredByVerifier.put(v.verifier(), v.scored());
    } else if (event instanceof TrainingEvent.WarmStartProgress w) {
      warmStartSteps = w.steps();
      out.accept(
          String.format(
              Locale.ROOT,
              "warm-start %d/%d  loss %.4f  (%.1f s)",
              w.step(),
              w.steps(),
              w.loss(),
              seconds()));
    } else if (event instanceof TrainingEvent.CheckpointSaved c) {
      out.accept(
          String.format(
              Locale.ROOT,
              "checkpoint %s saved to %s  (%.1f s)",
              c.version(),
              c.path(),
              seconds()));
    } else if (event instanceof TrainingEvent.Resumed r) {
      resumedFromVersion = r.version().value();
      version = r.version();
      steps = r.version().value();
      duplicates = r.duplicatesTotal();
      out.accept(
          String.format(
              Locale.ROOT,
              "resumed from the checkpoint of %s (%d later steps discarded and their tasks leased"
                  + " again)  (%.1f s)",
              r.version(),
              r.discardedSteps(),
              seconds()));
    } else if (event instanceof TrainingEvent.TrainingFinished) {
      return stop("max-steps");
    } else if (event instanceof TrainingEvent.TrainingFailed f) {
      // The learner cannot go on (no checkpoint can be written): the run ends with its reason.
      timers.cancel(Timeout.FINAL_EVALUATION);
      result.completeExceptionally(new IllegalStateException(f.reason()));
      return Behaviors.stopped();
    }
    return this;
  }

  private void onStep(TrainingEvent.StepCompleted s) {
    steps = s.step();
    version = s.version();
    consumed = s.consumedTotal();
    rejectedStale = s.rejectedStaleTotal();
    duplicates = s.duplicatesTotal();
    if (s.resumedFromVersion() >= 0) {
      resumedFromVersion = s.resumedFromVersion();
    }
    double[] first = rateWindow.peekFirst();
    double[] last = rateWindow.peekLast();
    double span = first == null || last == first ? 0 : last[0] - first[0];
    double tokensPerSecond = span > 0 ? (last[1] - first[1]) / span : 0;
    double trajectoriesPerSecond = span > 0 ? (last[2] - first[2]) / span : 0;
    out.accept(ProgressLines.step(s, tokensPerSecond, trajectoriesPerSecond, seconds()));
  }

  private void onEvaluation(EvaluationCompleted ev) {
    out.accept(ProgressLines.evaluation(ev, seconds()));
    if (ev.purpose().equals(Split.TEST.label())) {
      testSplit = ev.split();
      lastTestLogged = ev.version().value();
      if (initialPass == null) {
        initialPass = ev.passAt1();
      }
      return;
    }
    validationSplit = ev.split();
    curve.add(new RunSummary.CurvePoint(ev.version().value(), seconds(), ev.passAt1()));
    if (settings.targetPass() > 0 && ev.passAt1() >= settings.targetPass()) {
      stop("target-pass");
    }
  }

  private Behavior<Command> stop(String reason) {
    if (stopReason != null) {
      return this;
    }
    stopReason = reason;
    out.accept(
        "stopping ("
            + reason
            + "): final evaluation of "
            + version
            + " or newer on the test split");
    evaluator.tell(
        new Evaluator.Evaluate(
            version,
            Split.TEST,
            getContext().messageAdapter(EvaluationCompleted.class, FinalEvaluation::new)));
    timers.startSingleTimer(Timeout.FINAL_EVALUATION, settings.finalEvaluationTimeout());
    return this;
  }

  private Behavior<Command> onFinalEvaluation(FinalEvaluation f) {
    timers.cancel(Timeout.FINAL_EVALUATION);
    // The same result is published on the topic too: print it once, whichever comes first.
    if (lastTestLogged != f.result().version().value()) {
      onEvaluation(f.result());
    }
    complete(f.result().passAt1());
    return Behaviors.stopped();
  }

  private Behavior<Command> onInterrupt() {
    stopReason = "interrupted";
    timers.cancel(Timeout.FINAL_EVALUATION);
    out.accept("stopping (interrupted): no final evaluation");
    complete(Double.NaN);
    return Behaviors.stopped();
  }

  private Behavior<Command> onFinalEvaluationTimeout() {
    getContext().getLog().error("no final evaluation within {}", settings.finalEvaluationTimeout());
    result.completeExceptionally(
        new IllegalStateException(
            "no final evaluation within " + settings.finalEvaluationTimeout()));
    return Behaviors.stopped();
  }

  private long generatedTokens() {
    return rollouts.values().stream().mapToLong(TrainingEvent.RolloutReport::tokens).sum();
  }

  private long generatedTrajectories() {
    return rollouts.values().stream().mapToLong(TrainingEvent.RolloutReport::trajectories).sum();
  }

  private void complete(double finalPass) {
    double generationSeconds = Math.max(1e-9, lastGenerationSeconds - firstGenerationSeconds);
    result.complete(
        new RunSummary(
            settings.suite(),
            settings.seed(),
            steps,
            version.value(),
            initialPass == null ? Double.NaN : initialPass,
            finalPass,
            testSplit,
            seconds(),
            firstGenerationSeconds < 0 ? 0 : generatedTokens() / generationSeconds,
            firstGenerationSeconds < 0 ? 0 : generatedTrajectories() / generationSeconds,
            warmStartSteps,
            stopReason,
            resumedFromVersion,
            new RunSummary.Trajectories(
                generatedTrajectories(),
                scoredByVerifier.values().stream().mapToLong(Long::longValue).sum(),
                consumed,
                rejectedStale,
                0,
                duplicates,
                0,
                0),
            null,
            nodeReports(),
            validationSplit,
            List.copyOf(curve)));
  }

  /** Per node (the part of a worker's or verifier's name before the colon), sorted by name. */
  private List<RunSummary.NodeReport> nodeReports() {
    Map<String, long[]> byNode = new java.util.TreeMap<>(); // generated, tokens, scored
    rollouts.forEach(
        (worker, r) -> {
          long[] c = byNode.computeIfAbsent(nodeOf(worker), n -> new long[3]);
          c[0] += r.trajectories();
          c[1] += r.tokens();
        });
    scoredByVerifier.forEach(
        (verifier, scored) ->
            byNode.computeIfAbsent(nodeOf(verifier), n -> new long[3])[2] += scored);
    List<RunSummary.NodeReport> out = new ArrayList<>();
    byNode.forEach((node, c) -> out.add(new RunSummary.NodeReport(node, c[0], c[1], c[2], null)));
    return out;
  }

  private static String nodeOf(String actorName) {
    int colon = actorName.indexOf(':');
    return colon < 0 ? actorName : actorName.substring(0, colon);
  }
}
