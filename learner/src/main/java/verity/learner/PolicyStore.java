package verity.learner;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.protocol.WeightsProtocol.FetchChunks;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.protocol.WeightsProtocol.NotAvailable;
import verity.actors.protocol.WeightsProtocol.VersionPublished;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsChunker;

/**
 * Holds the newest policy version, announces each version on the policy-version topic and serves
 * its chunks to replicas that ask, a window at a time, cut from the one copy it holds as they are
 * sent. Replicas pull, so a slow or busy worker is never flooded with versions it would skip
 * anyway, and no replica has more than its window queued whatever the model's size.
 */
public final class PolicyStore extends AbstractBehavior<PolicyStore.Command> {

  /** A message the store accepts. */
  public sealed interface Command extends VerityMessage {}

  /**
   * A new version from the learner that spawned this store; same JVM by construction, so the flat
   * array is handed over, not serialized.
   */
  public record Publish(FlatWeights weights) implements Command, LocalOnly {}

  private record Fetch(WeightsProtocol.Command request) implements Command, LocalOnly {}

  private final int chunkValues;
  private final ActorRef<Topic.Command<VersionPublished>> versions;
  private FlatWeights latest;
  private int count;

  public static Behavior<Command> create(int chunkValues) {
    return Behaviors.setup(ctx -> new PolicyStore(ctx, chunkValues));
  }

  private PolicyStore(ActorContext<Command> ctx, int chunkValues) {
    super(ctx);
    this.chunkValues = chunkValues;
    this.versions = Topics.policyVersions(ctx);
    ActorRef<WeightsProtocol.Command> requests =
        ctx.messageAdapter(WeightsProtocol.Command.class, Fetch::new);
    ctx.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.POLICY_STORE, requests));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Publish.class, this::onPublish)
        .onMessage(Fetch.class, this::onFetch)
        .build();
  }

  private Behavior<Command> onPublish(Publish p) {
    if (latest != null && !p.weights().version().isNewerThan(latest.version())) {
      getContext()
          .getLog()
          .warn("ignoring {}: already at {}", p.weights().version(), latest.version());
      return this;
    }
    latest = p.weights();
    count = WeightsChunker.count(latest, chunkValues);
    versions.tell(Topic.publish(new VersionPublished(latest.header())));
    return this;
  }

  private Behavior<Command> onFetch(Fetch f) {
    PolicyVersion at = latest == null ? null : latest.version();
    if (f.request() instanceof FetchLatest request) {
      if (latest == null || request.atLeast().isNewerThan(at)) {
        request.replyTo().tell(new NotAvailable(request.atLeast(), at));
      } else {
        send(0, request.chunks(), request.replyTo());
      }
    } else if (f.request() instanceof FetchChunks request) {
      if (latest == null || !request.version().equals(at)) {
        request.replyTo().tell(new NotAvailable(request.version(), at));
      } else {
        send(request.from(), request.chunks(), request.replyTo());
      }
    }
    return this;
  }

  private void send(int from, int chunks, ActorRef<WeightsProtocol.Delivery> replyTo) {
    int to = (int) Math.min(count, Math.max(0, (long) from) + Math.max(0, chunks));
    for (int i = Math.max(0, from); i < to; i++) {
      replyTo.tell(WeightsChunker.chunk(latest, i, chunkValues));
    }
  }
}
