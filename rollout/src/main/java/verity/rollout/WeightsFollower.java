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
  private long announced = -1;
  private long delivered = -1;
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
    announced = Math.max(announced, a.published().header().version().value());
    maybeFetch();
    return this;
  }

  private Behavior<Command> onStores(Stores s) {
    store = s.stores().stream().findFirst();
    // A replica that joins mid-run asks for whatever is current, without waiting for a new version.
    announced = Math.max(announced, delivered + 1);
    fetching = false;
    maybeFetch();
    return this;
  }

  private void maybeFetch() {
    if (fetching || store.isEmpty() || announced <= delivered) {
      return;
    }
    fetching = true;
    timers.startSingleTimer(FetchTimedOut.INSTANCE, FETCH_TIMEOUT);
    store.get().tell(new FetchLatest(new PolicyVersion(delivered + 1), deliveries));
  }

  private Behavior<Command> onDelivered(Delivered d) {
    if (d.delivery() instanceof NotAvailable n) {
      fetching = false;
      timers.cancel(FetchTimedOut.INSTANCE);
      if (n.latest() >= 0 && n.latest() < delivered) {
        // The store is behind what this replica holds: the learner restarted from an older
        // checkpoint, and versions after it were discarded. Take the store's current version.
        getContext()
            .getLog()
            .info("policy store at v{} after a restart; replacing v{}", n.latest(), delivered);
        delivered = -1;
        announced = n.latest();
        maybeFetch();
        return this;
      }
      announced = Math.max(delivered, n.latest()); // wait for the next announcement
      return this;
    }
    WeightsChunk chunk = (WeightsChunk) d.delivery();
    if (chunk.header().version().value() <= delivered) {
      return this;
    }
    try {
      assembler
          .offer(chunk)
          .ifPresent(
              w -> {
                delivered = w.version().value();
                announced = Math.max(announced, delivered);
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
    announced = Math.max(announced, delivered + 1);
    maybeFetch();
    return this;
  }

  private Behavior<Command> onFetchTimedOut() {
    getContext().getLog().warn("no complete weights within {}; asking again", FETCH_TIMEOUT);
    assembler.reset();
    fetching = false;
    maybeFetch();
    return this;
  }
}
