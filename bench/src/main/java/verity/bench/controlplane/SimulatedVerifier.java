package verity.bench.controlplane;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import verity.actors.LocalOnly;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.actors.protocol.VerifierProtocol;

/**
 * A reward verifier without a sandbox: it registers in the suite's verifier pool like {@code
 * RewardVerifier}, accepts every batch, scores each trajectory at once (a reward from the sample's
 * index, so that groups have both outcomes), and sends the scored batch to the learner it finds
 * through the receptionist, holding it while there is none.
 */
public final class SimulatedVerifier extends AbstractBehavior<SimulatedVerifier.Command> {

  /** A message the simulated verifier accepts. */
  public sealed interface Command extends LocalOnly {}

  private record Offer(VerifierProtocol.Command message) implements Command {}

  private record Learners(Set<ActorRef<LearnerProtocol.Command>> learners) implements Command {}

  private final Meter meter;
  private final List<ScoredTrajectory> unsent = new ArrayList<>();
  private Optional<ActorRef<LearnerProtocol.Command>> learner = Optional.empty();

  public static Behavior<Command> create(String suite, Meter meter) {
    return Behaviors.setup(ctx -> new SimulatedVerifier(ctx, suite, meter));
  }

  private SimulatedVerifier(ActorContext<Command> ctx, String suite, Meter meter) {
    super(ctx);
    this.meter = meter;
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.verifiers(suite),
                ctx.messageAdapter(VerifierProtocol.Command.class, Offer::new)));
    ServiceWatcher.spawn(ctx, ServiceKeys.LEARNER, Learners::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Offer.class, this::onOffer)
        .onMessage(Learners.class, this::onLearners)
        .build();
  }

  private Behavior<Command> onOffer(Offer o) {
    VerifierProtocol.VerifyBatch batch = (VerifierProtocol.VerifyBatch) o.message();
    batch.replyTo().tell(new VerifierProtocol.Accepted(batch.batch()));
    meter.offered(batch.trajectories().size());
    for (Trajectory t : batch.trajectories()) {
      boolean correct = t.id().sample() % 2 == 0;
      unsent.add(
          new ScoredTrajectory(
              t,
              new Verdict(
                  correct ? 1.0 : 0.0, correct ? Verdict.Reason.CORRECT : Verdict.Reason.WRONG)));
    }
    flush();
    return this;
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
