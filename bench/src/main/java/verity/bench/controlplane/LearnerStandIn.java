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
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verity.actors.LocalOnly;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.ids.LeaseId;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.SettleLeases;
import verity.actors.protocol.ScoredTrajectory;
import verity.learner.Learner;
import verity.learner.ledger.TrainingLedger;

/**
 * The learner's coordination without its model: what {@link Learner} does around a gradient step,
 * with a step that takes no time. It takes scored batches under the learner's service key, gathers
 * each lease's samples into a complete group (dropping a lease consumed before), forms a step of
 * {@code batch-groups} complete groups, journals it in the real {@link TrainingLedger} and, once
 * the ledger has it, settles the step's leases CONSUMED with every task source it knows of: the
 * same order and messages as the learner. Not simulated because they need a model: the GRPO step,
 * weight publishing, checkpoints and the staleness checks (every trajectory here is of version 0).
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

  private record SettlementTargets(Set<ActorRef<LeaseProtocol.Command>> targets)
      implements Command {}

  private record StepRecorded(TrainingLedger.StepRecorded recorded) implements Command {}

  /** The samples of one leased task, in arrival order. */
  private record Group(LeaseId lease, List<ScoredTrajectory> members) {}

  private final int batchGroups;
  private final Meter meter;
  private final ActorRef<TrainingLedger.Command> ledger;
  private final ActorRef<TrainingLedger.StepRecorded> recordedReplies;
  private final Map<LeaseId, List<ScoredTrajectory>> filling = new HashMap<>();
  private final ArrayDeque<Group> ready = new ArrayDeque<>();
  private final BitSet consumedLeases = new BitSet();
  private final Set<ActorRef<LeaseProtocol.Command>> settlementTargets = new HashSet<>();
  private final List<LeaseProtocol.Command> unsentSettlements = new ArrayList<>();
  private long version;

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
    // Retention only trims steps older than the oldest checkpoint; there are none here.
    this.ledger = ctx.spawn(TrainingLedger.create(3), "ledger");
    this.recordedReplies = ctx.messageAdapter(TrainingLedger.StepRecorded.class, StepRecorded::new);
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
    ServiceWatcher.spawn(ctx, ServiceKeys.LEASE_SETTLEMENT, SettlementTargets::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Intake.class, this::onIntake)
        .onMessage(StepRecorded.class, this::onStepRecorded)
        .onMessage(SettlementTargets.class, this::onSettlementTargets)
        .build();
  }

  private Behavior<Command> onIntake(Intake in) {
    LearnerProtocol.ScoredBatch batch = (LearnerProtocol.ScoredBatch) in.message();
    meter.scored(batch.scored().size());
    for (ScoredTrajectory s : batch.scored()) {
      LeaseId lease = s.trajectory().id().lease();
      if (consumedLeases.get(Math.toIntExact(lease.value()))) {
        continue; // a step consumed this lease already
      }
      List<ScoredTrajectory> members = filling.computeIfAbsent(lease, l -> new ArrayList<>());
      members.add(s);
      if (members.size() >= s.trajectory().groupSize()) {
        filling.remove(lease);
        ready.add(new Group(lease, List.copyOf(members)));
      }
    }
    while (ready.size() >= batchGroups) {
      step();
    }
    return this;
  }

  /** A step that takes no time: journaled at once, its leases settled when the ledger has it. */
  private void step() {
    version++;
    long[] leases = new long[batchGroups];
    String[] tasks = new String[batchGroups];
    for (int i = 0; i < batchGroups; i++) {
      Group g = ready.poll();
      leases[i] = g.lease().value();
      tasks[i] = g.members().get(0).trajectory().task().value();
      consumedLeases.set(Math.toIntExact(leases[i]));
    }
    ledger.tell(
        new TrainingLedger.RecordStep(
            new TrainingLedger.StepApplied(version, leases, tasks), recordedReplies));
  }

  private Behavior<Command> onStepRecorded(StepRecorded in) {
    long[] leases = in.recorded().step().leases();
    List<LeaseId> ids = new ArrayList<>(leases.length);
    for (long lease : leases) {
      ids.add(new LeaseId(lease));
    }
    send(
        new SettleLeases(
            ids, LeaseProtocol.Settlement.CONSUMED, getContext().getSystem().ignoreRef()));
    meter.settled(leases.length);
    return this;
  }

  private Behavior<Command> onSettlementTargets(SettlementTargets t) {
    settlementTargets.clear();
    settlementTargets.addAll(t.targets());
    if (!settlementTargets.isEmpty()) {
      unsentSettlements.forEach(s -> settlementTargets.forEach(target -> target.tell(s)));
      unsentSettlements.clear();
    }
    return this;
  }

  private void send(LeaseProtocol.Command message) {
    if (settlementTargets.isEmpty()) {
      unsentSettlements.add(message);
    } else {
      settlementTargets.forEach(target -> target.tell(message));
    }
  }
}
