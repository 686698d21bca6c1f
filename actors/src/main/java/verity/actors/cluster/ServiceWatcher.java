package verity.actors.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.Set;
import java.util.function.Function;

/**
 * A child that follows the receptionist's listing of one service key and tells its parent the
 * current instances. Akka gives all message adapters of an actor one shared reference, and the
 * receptionist fails when the same reference is both registered under a key and subscribed to one;
 * a child keeps a parent's subscriptions apart from its registrations.
 */
public final class ServiceWatcher {
  private ServiceWatcher() {}

  /**
   * @param wrap turns the current instances into a message of the parent's own protocol (a
   *     local-only message: parent and child share a JVM)
   */
  public static <T, P> Behavior<Receptionist.Listing> create(
      ServiceKey<T> key, ActorRef<P> parent, Function<Set<ActorRef<T>>, P> wrap) {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem().receptionist().tell(Receptionist.subscribe(key, ctx.getSelf()));
          return Behaviors.receiveMessage(
              listing -> {
                if (listing.isForKey(key)) {
                  parent.tell(wrap.apply(listing.getServiceInstances(key)));
                }
                return Behaviors.same();
              });
        });
  }

  /** Spawns a watcher for {@code key} as a child of the actor behind {@code ctx}. */
  public static <T, P> void spawn(
      akka.actor.typed.javadsl.ActorContext<P> ctx,
      ServiceKey<T> key,
      Function<Set<ActorRef<T>>, P> wrap) {
    ctx.spawn(create(key, ctx.getSelf(), wrap), "watch-" + key.id());
  }
}
