package verity.bench.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import verity.actors.LocalOnly;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.ids.LeaseId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.VerifierProtocol;

/**
 * Stands in for a suite's reward verifier and the learner behind it in the rollout overhead
 * benchmark: it registers under the verifiers' service key, accepts every batch at once, counts its
 * generated tokens per worker, and settles the batch's leases as consumed with the task source, so
 * that the lease window never fills and the workers never wait for anything but their own work. It
 * also records each worker's reported generation time, for the share of the time the model was
 * busy.
 */
public final class VerifierSink {
  private VerifierSink() {}

  /** The sink's own messages: a batch through its adapter, or the task source's settlement ref. */
  public sealed interface Command extends LocalOnly {}

  private record Offered(VerifierProtocol.Command command) implements Command {}

  private record Reported(TrainingEvent event) implements Command {}

  private record Settlers(Set<ActorRef<LeaseProtocol.Command>> refs) implements Command {}

  /** Look the task source's settlement ref up again. */
  private enum Find implements Command {
    INSTANCE
  }

  private static final Duration FIND_AGAIN = Duration.ofMillis(100);

  /** Registers under {@code suite}'s verifier key and records each batch in {@code meter}. */
  public static Behavior<Command> create(String suite, TokenMeter meter) {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem()
              .receptionist()
              .tell(
                  Receptionist.register(
                      ServiceKeys.verifiers(suite),
                      ctx.messageAdapter(VerifierProtocol.Command.class, Offered::new)));
          // Each worker reports how long its batch took on the compute thread: the model's busy
          // share.
          Topics.trainingEvents(ctx)
              .tell(Topic.subscribe(ctx.messageAdapter(TrainingEvent.class, Reported::new)));
          find(ctx);
          return running(ctx, meter, Optional.empty(), List.of());
        });
  }

  /**
   * Asks the receptionist once for the settlement ref. An ask, not a subscription: an actor's
   * message adapters share one ref, and a ref both registered and subscribed trips the
   * receptionist's watch of it.
   */
  private static void find(ActorContext<Command> ctx) {
    ctx.ask(
        Receptionist.Listing.class,
        ctx.getSystem().receptionist(),
        Duration.ofSeconds(5),
        replyTo -> Receptionist.find(ServiceKeys.LEASE_SETTLEMENT, replyTo),
        (listing, err) ->
            new Settlers(
                listing == null
                    ? Set.of()
                    : listing.getServiceInstances(ServiceKeys.LEASE_SETTLEMENT)));
  }

  private static Behavior<Command> running(
      ActorContext<Command> ctx,
      TokenMeter meter,
      Optional<ActorRef<LeaseProtocol.Command>> settler,
      List<LeaseId> unsettled) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Settlers.class,
            s -> {
              Optional<ActorRef<LeaseProtocol.Command>> found = s.refs().stream().findFirst();
              if (found.isEmpty()) {
                ctx.scheduleOnce(FIND_AGAIN, ctx.getSelf(), Find.INSTANCE);
              }
              return running(ctx, meter, found, settle(ctx, found, unsettled));
            })
        .onMessage(
            Reported.class,
            r -> {
              if (r.event() instanceof TrainingEvent.RolloutReport report) {
                meter.busy(report.worker(), report.generateMillis());
              }
              return Behaviors.same();
            })
        .onMessageEquals(
            Find.INSTANCE,
            () -> {
              find(ctx);
              return Behaviors.same();
            })
        .onMessage(
            Offered.class,
            o -> {
              VerifierProtocol.VerifyBatch batch = (VerifierProtocol.VerifyBatch) o.command();
              batch.replyTo().tell(new VerifierProtocol.Accepted(batch.batch()));
              Set<LeaseId> leases = new LinkedHashSet<>(unsettled);
              long tokens = 0;
              for (Trajectory t : batch.trajectories()) {
                leases.add(t.id().lease());
                for (boolean sampled : t.policyMask()) {
                  tokens += sampled ? 1 : 0;
                }
              }
              meter.record(batch.trajectories().get(0).worker(), tokens);
              return running(ctx, meter, settler, settle(ctx, settler, new ArrayList<>(leases)));
            })
        .build();
  }

  /** Settles {@code leases} with the task source if one is known; returns those still unsettled. */
  private static List<LeaseId> settle(
      akka.actor.typed.javadsl.ActorContext<?> ctx,
      Optional<ActorRef<LeaseProtocol.Command>> settler,
      List<LeaseId> leases) {
    if (leases.isEmpty() || settler.isEmpty()) {
      return leases;
    }
    settler
        .get()
        .tell(
            new LeaseProtocol.SettleLeases(
                leases, LeaseProtocol.Settlement.CONSUMED, ctx.getSystem().ignoreRef()));
    return List.of();
  }
}
