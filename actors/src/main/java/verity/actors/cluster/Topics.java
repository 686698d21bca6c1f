package verity.actors.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.pubsub.Topic;
import java.util.function.Supplier;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.WeightsProtocol.VersionPublished;

/**
 * Cluster-wide publish/subscribe topics; each actor that uses one has its own local handle, a child
 * spawned on first use and shared by later uses in the same actor.
 */
public final class Topics {
  private Topics() {}

  public static final String POLICY_VERSIONS = "verity-policy-versions";
  public static final String TRAINING_EVENTS = "verity-training-events";

  public static ActorRef<Topic.Command<VersionPublished>> policyVersions(ActorContext<?> ctx) {
    return handle(
        ctx, "policy-versions", () -> Topic.create(VersionPublished.class, POLICY_VERSIONS));
  }

  public static ActorRef<Topic.Command<TrainingEvent>> trainingEvents(ActorContext<?> ctx) {
    return handle(ctx, "training-events", () -> Topic.create(TrainingEvent.class, TRAINING_EVENTS));
  }

  private static <T> ActorRef<Topic.Command<T>> handle(
      ActorContext<?> ctx, String name, Supplier<Behavior<Topic.Command<T>>> topic) {
    // The child of this name is always the handle this method spawned, of this message type.
    return ctx.getChild(name)
        .<ActorRef<Topic.Command<T>>>map(ActorRef::unsafeUpcast)
        .orElseGet(() -> ctx.spawn(topic.get(), name));
  }
}
