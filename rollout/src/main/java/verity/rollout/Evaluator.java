package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.pubsub.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.TrainingEvent.EvaluationCompleted;
import verity.actors.weights.FlatWeights;
import verity.envs.CheckResult;
import verity.envs.Outcome;
import verity.envs.Suite;
import verity.envs.Task;
import verity.policy.NativeWork;
import verity.policy.Policy;
import verity.policy.ReplicaFactory;

/**
 * Measures greedy pass@1 on the suite's evaluation set with its own replica: for the first version,
 * then every {@code evaluateEverySteps} versions, and on request. Results go to the training-events
 * topic.
 */
public final class Evaluator extends AbstractBehavior<Evaluator.Command> {

  /** A message the evaluator accepts. */
  public sealed interface Command extends VerityMessage {}

  /** Evaluate a version at least as new as {@code atLeast} and tell {@code replyTo}. */
  public record Evaluate(PolicyVersion atLeast, ActorRef<EvaluationCompleted> replyTo)
      implements Command {}

  private record ReplicaReady(Policy policy) implements Command, LocalOnly {}

  private record Fetched(WeightsFollower.WeightsReady ready) implements Command, LocalOnly {}

  private record Evaluated(EvaluationCompleted result) implements Command, LocalOnly {}

  private final Suite suite;
  private final BiFunction<Task, String, CheckResult> checker;
  private final int every;
  private final Executor compute;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final List<Evaluate> pending = new ArrayList<>();
  private Policy policy;
  private FlatWeights latest;
  private long lastEvaluated = -1;
  private EvaluationCompleted lastResult;
  private boolean evaluating;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);

  public static Behavior<Command> create(
      Suite suite,
      BiFunction<Task, String, CheckResult> checker,
      int evaluateEverySteps,
      ReplicaFactory replicas) {
    return Behaviors.setup(ctx -> new Evaluator(ctx, suite, checker, evaluateEverySteps, replicas));
  }

  private Evaluator(
      ActorContext<Command> ctx,
      Suite suite,
      BiFunction<Task, String, CheckResult> checker,
      int every,
      ReplicaFactory replicas) {
    super(ctx);
    this.suite = suite;
    this.checker = checker;
    this.every = every;
    this.compute = ComputeDispatcher.executor(ctx.getSystem());
    this.events = Topics.trainingEvents(ctx);
    ctx.spawn(
        WeightsFollower.create(
            ctx.messageAdapter(WeightsFollower.WeightsReady.class, Fetched::new)),
        "weights");
    ctx.pipeToSelf(
        CompletableFuture.supplyAsync(replicas::create, compute),
        (ok, err) -> {
          if (err != null) {
            throw new IllegalStateException("evaluator replica failed to start", err);
          }
          return new ReplicaReady(ok);
        });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReplicaReady.class, this::onReplicaReady)
        .onMessage(Fetched.class, this::onFetched)
        .onMessage(Evaluate.class, this::onEvaluate)
        .onMessage(Evaluated.class, this::onEvaluated)
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onReplicaReady(ReplicaReady r) {
    policy = r.policy();
    maybeEvaluate();
    return this;
  }

  private Behavior<Command> onFetched(Fetched f) {
    latest = f.ready().weights();
    maybeEvaluate();
    return this;
  }

  private Behavior<Command> onEvaluate(Evaluate e) {
    if (lastResult != null && lastResult.version().compareTo(e.atLeast()) >= 0) {
      e.replyTo().tell(lastResult);
    } else {
      pending.add(e);
      maybeEvaluate();
    }
    return this;
  }

  private void maybeEvaluate() {
    if (evaluating || policy == null || latest == null) {
      return;
    }
    long v = latest.version().value();
    boolean due = lastEvaluated < 0 || v >= lastEvaluated + every;
    boolean asked = pending.stream().anyMatch(e -> latest.version().compareTo(e.atLeast()) >= 0);
    if (v == lastEvaluated || !(due || asked)) {
      return;
    }
    evaluating = true;
    Policy p = policy;
    FlatWeights w = latest;
    CompletableFuture<Evaluated> job =
        CompletableFuture.supplyAsync(() -> new Evaluated(evaluate(p, w)), compute);
    inFlight = job;
    getContext()
        .pipeToSelf(
            job,
            (ok, err) -> {
              if (err != null) {
                throw new IllegalStateException("evaluation failed", err);
              }
              return ok;
            });
  }

  /** Runs on the compute dispatcher. */
  private EvaluationCompleted evaluate(Policy p, FlatWeights w) {
    p.importWeights(w);
    List<Task> tasks = suite.evaluationSet();
    long[] seeds = new long[tasks.size()];
    java.util.Arrays.setAll(seeds, i -> i);
    List<EpisodeRunner.Result> episodes =
        EpisodeRunner.run(p, suite, tasks, seeds, 1f, null, () -> null);
    int correct = 0;
    for (int i = 0; i < tasks.size(); i++) {
      String text = suite.completionText(episodes.get(i).episode().actions());
      correct += checker.apply(tasks.get(i), text).outcome() == Outcome.CORRECT ? 1 : 0;
    }
    return new EvaluationCompleted(
        w.version(), correct / (double) tasks.size(), tasks.size(), suite.evaluationSetName());
  }

  private Behavior<Command> onEvaluated(Evaluated e) {
    evaluating = false;
    lastResult = e.result();
    lastEvaluated = e.result().version().value();
    events.tell(Topic.publish(e.result()));
    pending.removeIf(
        p -> {
          if (lastResult.version().compareTo(p.atLeast()) >= 0) {
            p.replyTo().tell(lastResult);
            return true;
          }
          return false;
        });
    maybeEvaluate();
    return this;
  }

  private Behavior<Command> onStop() {
    NativeWork.closeAfter(inFlight, policy);
    return this;
  }
}
