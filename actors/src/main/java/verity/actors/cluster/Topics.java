package verity.actors.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.pubsub.Topic;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.WeightsProtocol.VersionPublished;

/** Cluster-wide publish/subscribe topics; each actor that uses one spawns its own local handle. */
public final class Topics {
  private Topics() {}

  public static final String POLICY_VERSIONS = "verity-policy-versions";
  public static final String TRAINING_EVENTS = "verity-training-events";

  public static ActorRef<Topic.Command<VersionPublished>> policyVersions(ActorContext<?> ctx) {
    return ctx.spawn(Topic.create(VersionPublished.class, POLICY_VERSIONS), "policy-versions");
  }

  public static ActorRef<Topic.Command<TrainingEvent>> trainingEvents(ActorContext<?> ctx) {
    return ctx.spawn(Topic.create(TrainingEvent.class, TRAINING_EVENTS), "training-events");
  }
}
