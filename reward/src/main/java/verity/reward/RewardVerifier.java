package verity.reward;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.Topics;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Verdict;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.protocol.VerifierProtocol.VerifyBatch;
import verity.envs.Suite;

/**
 * A reward verifier: scores trajectories off the rollout path, on its own dispatcher, and sends the
 * scored trajectories on to the learner. Verdicts scored before a learner is known are kept and
 * sent when one appears.
 */
public final class RewardVerifier extends AbstractBehavior<RewardVerifier.Command> {
  public static final String DISPATCHER = "verity.reward.dispatcher";

  /** A message a verifier accepts. */
  public sealed interface Command extends VerityMessage {}

  private record Request(VerifierProtocol.Command message) implements Command, LocalOnly {}

  private record Learners(Set<ActorRef<LearnerProtocol.Command>> learners)
      implements Command, LocalOnly {}

  private record Scored(List<ScoredTrajectory> scored) implements Command, LocalOnly {}

  private record ScoringFailed(Throwable cause) implements Command, LocalOnly {}

  private final String name;
  private final TrajectoryScorer scorer;
  private final Executor executor;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final List<ScoredTrajectory> unsent = new ArrayList<>();
  private Optional<ActorRef<LearnerProtocol.Command>> learner = Optional.empty();
  private long scored;
  private long correct;
  private long malformed;

  public static Behavior<Command> create(String name, Suite suite) {
    return Behaviors.setup(ctx -> new RewardVerifier(ctx, name, suite));
  }

  private RewardVerifier(ActorContext<Command> ctx, String name, Suite suite) {
    super(ctx);
    this.name = name;
    this.scorer = new TrajectoryScorer(suite);
    this.executor = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER));
    this.events = Topics.trainingEvents(ctx);
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.VERIFIERS,
                ctx.messageAdapter(VerifierProtocol.Command.class, Request::new)));
    ServiceWatcher.spawn(ctx, ServiceKeys.LEARNER, Learners::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Request.class, this::onRequest)
        .onMessage(Learners.class, this::onLearners)
        .onMessage(Scored.class, this::onScored)
        .onMessage(ScoringFailed.class, this::onScoringFailed)
        .build();
  }

  private Behavior<Command> onRequest(Request r) {
    VerifyBatch batch = (VerifyBatch) r.message();
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(() -> scorer.score(batch.trajectories()), executor),
            (ok, err) -> ok != null ? new Scored(ok) : new ScoringFailed(err));
    return this;
  }

  private Behavior<Command> onScored(Scored s) {
    for (ScoredTrajectory st : s.scored()) {
      scored++;
      correct += st.verdict().reason() == Verdict.Reason.CORRECT ? 1 : 0;
      malformed += st.verdict().reason() == Verdict.Reason.MALFORMED ? 1 : 0;
    }
    unsent.addAll(s.scored());
    flush();
    events.tell(Topic.publish(new TrainingEvent.VerifierReport(name, scored, correct, malformed)));
    return this;
  }

  private Behavior<Command> onScoringFailed(ScoringFailed f) {
    // The scorer turns every failure of a check into a verdict; this is a bug in the verifier.
    throw new IllegalStateException(name + ": scoring failed", f.cause());
  }

  private Behavior<Command> onLearners(Learners l) {
    learner = l.learners().stream().findFirst();
    flush();
    return this;
  }

  private void flush() {
    if (learner.isPresent() && !unsent.isEmpty()) {
      learner.get().tell(new LearnerProtocol.ScoredBatch(unsent));
      unsent.clear();
    }
  }
}
