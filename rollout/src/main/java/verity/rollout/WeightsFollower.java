package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.protocol.WeightsProtocol.NotAvailable;
import verity.actors.protocol.WeightsProtocol.VersionPublished;
import verity.actors.protocol.WeightsProtocol.WeightsChunk;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsAssembler;

/**
 * Follows the policy store for a replica (a rollout worker or an evaluator): listens to version
 * announcements, pulls the chunks of the newest version, checks the whole against its checksum and
 * hands it to its parent. A replica that joins mid-run fetches the current version at once; one
 * that falls behind skips straight to the newest; one that holds a version newer than the store's
 * (the learner resumed from an older checkpoint) goes back to the store's.
 */
public final class WeightsFollower extends AbstractBehavior<WeightsFollower.Command> {

  /** A message the follower accepts. */
  public sealed interface Command extends VerityMessage {}

  /** Handed to the parent: a complete, verified version. Parent and child share a JVM. */
  public record WeightsReady(FlatWeights weights) implements LocalOnly {}

  private record Announced(VersionPublished published) implements Command, LocalOnly {}

  private record Stores(Set<ActorRef<WeightsProtocol.Command>> stores)
      implements Command, LocalOnly {}

  private record Delivered(WeightsProtocol.Delivery delivery) implements Command, LocalOnly {}

  private enum FetchTimedOut implements Command, LocalOnly {
    INSTANCE
  }

  /** Asks the store again; announcements may be lost while topic instances find each other. */
  private enum Poll implements Command, LocalOnly {
    INSTANCE
  }

  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private final ActorRef<WeightsReady> parent;
  private final TimerScheduler<Command> timers;
  private final ActorRef<WeightsProtocol.Delivery> deliveries;
  private final WeightsAssembler assembler = new WeightsAssembler();
  private Optional<ActorRef<WeightsProtocol.Command>> store = Optional.empty();

  /** The newest version announced, or null before the first announcement. */
  private PolicyVersion announced;

  /** The version handed to the parent, or null before the first. */
  private PolicyVersion delivered;

  /** Ask the store for anything newer than {@link #delivered}, announced or not. */
  private boolean probe;

  private boolean fetching;

  public static Behavior<Command> create(ActorRef<WeightsReady> parent) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new WeightsFollower(ctx, timers, parent)));
  }

  private WeightsFollower(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, ActorRef<WeightsReady> parent) {
    super(ctx);
    this.parent = parent;
    this.timers = timers;
    this.deliveries = ctx.messageAdapter(WeightsProtocol.Delivery.class, Delivered::new);
    ActorRef<Topic.Command<VersionPublished>> topic = Topics.policyVersions(ctx);
    topic.tell(Topic.subscribe(ctx.messageAdapter(VersionPublished.class, Announced::new)));
    ServiceWatcher.spawn(ctx, ServiceKeys.POLICY_STORE, Stores::new);
    timers.startTimerWithFixedDelay(Poll.INSTANCE, POLL_INTERVAL);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Announced.class, this::onAnnounced)
        .onMessage(Stores.class, this::onStores)
        .onMessage(Delivered.class, this::onDelivered)
        .onMessageEquals(FetchTimedOut.INSTANCE, this::onFetchTimedOut)
        .onMessageEquals(Poll.INSTANCE, this::onPoll)
        .build();
  }

  private Behavior<Command> onAnnounced(Announced a) {
    announced = newest(announced, a.published().header().version());
    maybeFetch();
    return this;
  }

  private Behavior<Command> onStores(Stores s) {
    store = s.stores().stream().findFirst();
    // A replica that joins mid-run asks for whatever is current, without waiting for a new version.
    probe = true;
    fetching = false;
    maybeFetch();
    return this;
  }

  private void maybeFetch() {
    boolean newer = announced != null && (delivered == null || announced.isNewerThan(delivered));
    if (fetching || store.isEmpty() || !(newer || probe)) {
      return;
    }
    fetching = true;
    timers.startSingleTimer(FetchTimedOut.INSTANCE, FETCH_TIMEOUT);
    PolicyVersion atLeast = delivered == null ? PolicyVersion.INITIAL : delivered.next();
    store.get().tell(new FetchLatest(atLeast, deliveries));
  }

  private Behavior<Command> onDelivered(Delivered d) {
    if (d.delivery() instanceof NotAvailable n) {
      fetching = false;
      timers.cancel(FetchTimedOut.INSTANCE);
      probe = false;
      if (n.latest() != null && delivered != null && delivered.isNewerThan(n.latest())) {
        // The store is behind what this replica holds (a new run on a store that forgot the old
        // one's epochs): take the store's current version.
        getContext().getLog().info("policy store at {}; replacing {}", n.latest(), delivered);
        delivered = null;
        announced = n.latest();
        maybeFetch();
        return this;
      }
      announced = newest(delivered, n.latest()); // wait for the next announcement
      return this;
    }
    WeightsChunk chunk = (WeightsChunk) d.delivery();
    if (delivered != null && !chunk.header().version().isNewerThan(delivered)) {
      return this;
    }
    try {
      assembler
          .offer(chunk)
          .ifPresent(
              w -> {
                delivered = w.version();
                announced = newest(announced, delivered);
                probe = false;
                fetching = false;
                timers.cancel(FetchTimedOut.INSTANCE);
                parent.tell(new WeightsReady(w));
                maybeFetch();
              });
    } catch (WeightsAssembler.ChecksumMismatchException e) {
      getContext().getLog().warn("{}; fetching again", e.getMessage());
      fetching = false;
      maybeFetch();
    }
    return this;
  }

  private Behavior<Command> onPoll() {
    probe = true;
    maybeFetch();
    return this;
  }

  /** The newer of two versions, either of which may be null (none yet). */
  private static PolicyVersion newest(PolicyVersion a, PolicyVersion b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) >= 0 ? a : b;
  }

  private Behavior<Command> onFetchTimedOut() {
    getContext().getLog().warn("no complete weights within {}; asking again", FETCH_TIMEOUT);
    assembler.reset();
    fetching = false;
    maybeFetch();
    return this;
  }
}
