package verity.bench.controlplane;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import verity.actors.LocalOnly;
import verity.actors.cluster.ServiceKeys;
import verity.actors.ids.LeaseId;
import verity.actors.ids.LeaseSet;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.ScoredTrajectory;
import verity.learner.Learner;
import verity.learner.LearnerSettings.StaleHandling;
import verity.learner.StalenessPolicy;
import verity.learner.intake.Group;
import verity.learner.intake.GroupAssembler;
import verity.learner.ledger.TrainingLedger;
import verity.learner.ledger.VersionLineage;
import verity.learner.settle.SettlementSender;

/**
 * The learner's coordination without its model: what {@link Learner} does around a gradient step,
 * with a step that takes no time, built from the learner's own parts. It takes scored batches under
 * the learner's service key, gathers each lease's samples into a complete group with the learner's
 * {@link GroupAssembler}, claims each complete group's lease through the learner's {@link
 * SettlementSender} (so that the task source journals the claim, as in a real run), forms a step of
 * {@code batch-groups} granted groups, journals it in the real {@link TrainingLedger} and, once the
 * ledger has it, settles the step's leases CONSUMED through the same sender, which sends them again
 * until confirmed. Not simulated because they need a model: the GRPO step, weight publishing,
 * checkpoints and the staleness checks (every trajectory here is of version 0).
 *
 * <p>Unlike the learner, it takes scored batches through a child actor rather than a message
 * adapter: Akka's {@code serialize-messages} skips messages to message adapters, and in a cluster
 * the scored batches cross the wire from the reward nodes, so their Kryo cost belongs in the
 * figure.
 */
public final class LearnerStandIn extends AbstractBehavior<LearnerStandIn.Command> {

  /** A message the learner stand-in accepts. */
  public sealed interface Command extends LocalOnly {}

  private record Intake(LearnerProtocol.Command message) implements Command {}

  private record Claims(SettlementSender.ClaimsDecided decided) implements Command {}

  private record Recorded(TrainingLedger.StepRecorded recorded) implements Command {}

  private final int batchGroups;
  private final Meter meter;
  private final ActorRef<TrainingLedger.Command> ledger;
  private final ActorRef<SettlementSender.Command> sender;
  private final ActorRef<TrainingLedger.StepRecorded> recordedReplies;
  private final GroupAssembler assembler =
      new GroupAssembler(
          new StalenessPolicy(Integer.MAX_VALUE, StaleHandling.REJECT, 1), new LeaseSet());
  private final Map<LeaseId, Group> claiming = new HashMap<>();
  private final ArrayDeque<Group> granted = new ArrayDeque<>();
  private PolicyVersion version = PolicyVersion.INITIAL;

  /**
   * @param batchGroups complete groups per step ({@code verity.learner.batch-groups})
   */
  public static Behavior<Command> create(int batchGroups, Meter meter) {
    return Behaviors.setup(ctx -> new LearnerStandIn(ctx, batchGroups, meter));
  }

  private LearnerStandIn(ActorContext<Command> ctx, int batchGroups, Meter meter) {
    super(ctx);
    this.batchGroups = batchGroups;
    this.meter = meter;
    this.ledger = ctx.spawn(TrainingLedger.create(3), "ledger");
    this.sender =
        ctx.spawn(
            SettlementSender.create(
                ctx.messageAdapter(SettlementSender.ClaimsDecided.class, Claims::new), ledger),
            "settlements");
    this.recordedReplies = ctx.messageAdapter(TrainingLedger.StepRecorded.class, Recorded::new);
    ActorRef<Command> self = ctx.getSelf();
    ActorRef<LearnerProtocol.Command> intake =
        ctx.spawn(
            Behaviors.receiveMessage(
                (LearnerProtocol.Command m) -> {
                  self.tell(new Intake(m));
                  return Behaviors.same();
                }),
            "intake");
    ctx.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.LEARNER, intake));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Intake.class, this::onIntake)
        .onMessage(Claims.class, this::onClaims)
        .onMessage(Recorded.class, this::onStepRecorded)
        .build();
  }

  private Behavior<Command> onIntake(Intake in) {
    LearnerProtocol.ScoredBatch batch = (LearnerProtocol.ScoredBatch) in.message();
    meter.scored(batch.scored().size());
    List<LeaseId> complete = new ArrayList<>();
    for (ScoredTrajectory s : batch.scored()) {
      GroupAssembler.Admission a = assembler.admit(s, version, VersionLineage.first());
      if (a.outcome() == GroupAssembler.Outcome.COMPLETED) {
        claiming.put(a.lease(), a.group());
        complete.add(a.lease());
      }
    }
    if (!complete.isEmpty()) {
      sender.tell(new SettlementSender.Claim(complete, 0));
    }
    return this;
  }

  private Behavior<Command> onClaims(Claims in) {
    in.decided().granted().forEach(l -> granted.add(claiming.remove(l)));
    in.decided().refused().forEach(claiming::remove);
    while (granted.size() >= batchGroups) {
      step();
    }
    return this;
  }

  /** A step that takes no time: journaled at once, its leases settled when the ledger has it. */
  private void step() {
    version = version.next();
    List<Group> groups = new ArrayList<>(batchGroups);
    for (int i = 0; i < batchGroups; i++) {
      groups.add(granted.poll());
    }
    ledger.tell(
        new TrainingLedger.RecordStep(
            new TrainingLedger.StepApplied(
                version,
                groups.stream().map(Group::lease).toList(),
                groups.stream().map(Group::task).toList()),
            recordedReplies));
  }

  private Behavior<Command> onStepRecorded(Recorded in) {
    TrainingLedger.StepApplied step = in.recorded().step();
    sender.tell(
        new SettlementSender.Settle(
            step.leases(), LeaseProtocol.Settlement.CONSUMED, step.version()));
    meter.settled(step.leases().size());
    return this;
  }
}
