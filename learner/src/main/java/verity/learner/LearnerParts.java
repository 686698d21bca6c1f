package verity.learner;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.util.concurrent.Executor;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.NodeIdentity;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.Topics;
import verity.actors.cluster.TrainingDispatcher;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.TrainingEvent;
import verity.actors.weights.plane.PlaneSettings;
import verity.learner.checkpoint.CheckpointSettings;
import verity.learner.checkpoint.CheckpointStore;
import verity.learner.checkpoint.CheckpointWriter;
import verity.learner.ledger.TrainingLedger;
import verity.learner.settle.SettlementSender;
import verity.learner.shard.LearnerShard;
import verity.policy.ReplicaFactory;

/**
 * What the {@link Learner}'s behaviours share: its context and settings, the executor its steps run
 * on, its checkpoint writer and its children (the policy store, the training ledger, the settlement
 * sender).
 */
record LearnerParts(
    ActorContext<Learner.Command> ctx,
    LearnerSettings settings,
    CheckpointSettings checkpointing,
    Executor compute,
    CheckpointWriter checkpointWriter,
    ActorRef<PolicyStore.Command> store,
    ActorRef<TrainingLedger.Command> ledger,
    ActorRef<SettlementSender.Command> sender,
    ActorRef<Topic.Command<TrainingEvent>> events,
    StatusReporter status) {

  /**
   * Spawns the learner's children, registers its intake and asks its ledger for the journal's view
   * (answered as {@link Learner.Recovered}).
   */
  static LearnerParts of(
      ActorContext<Learner.Command> ctx,
      LearnerSettings settings,
      CheckpointSettings checkpointing,
      ReplicaFactory replicas,
      CheckpointStore checkpoints) {
    // Shards in this JVM compute gradients too: then all gradient work shares one thread (DJL
    // allows one gradient collector at a time). A lone learner shares the compute dispatcher with
    // the rollout workers, which measured faster on 2 cores than a thread of its own.
    Executor compute =
        settings.shards() > 1
            ? TrainingDispatcher.executor(ctx.getSystem())
            : ComputeDispatcher.executor(ctx.getSystem());
    if (settings.shards() > 1) {
      LearnerShard.init(ctx.getSystem(), replicas);
    }
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.LEARNER,
                ctx.messageAdapter(LearnerProtocol.Command.class, Learner.Intake::new)));
    ActorRef<TrainingLedger.Command> ledger =
        ctx.spawn(TrainingLedger.create(checkpointing.retention()), "ledger");
    ledger.tell(
        new TrainingLedger.GetRecovered(
            ctx.messageAdapter(TrainingLedger.LedgerRecovery.class, Learner.Recovered::new)));
    ActorRef<SettlementSender.ClaimsDecided> claims =
        ctx.messageAdapter(SettlementSender.ClaimsDecided.class, Learner.Claims::new);
    return new LearnerParts(
        ctx,
        settings,
        checkpointing,
        compute,
        new CheckpointWriter(checkpoints),
        ctx.spawn(
            PolicyStore.create(
                settings.weightChunkValues(),
                PlaneSettings.from(ctx.getSystem().settings().config())),
            "policy-store"),
        ledger,
        ctx.spawn(SettlementSender.create(claims, ledger), "settlements"),
        Topics.trainingEvents(ctx),
        new StatusReporter(ctx, NodeIdentity.name(ctx.getSystem()) + ":learner", "learner"));
  }

  void publish(TrainingEvent e) {
    events.tell(Topic.publish(e));
  }

  org.slf4j.Logger log() {
    return ctx.getLog();
  }
}
