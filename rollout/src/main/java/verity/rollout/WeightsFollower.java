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
import verity.actors.protocol.WeightsProtocol.FetchChunks;
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
 *
 * <p>Chunks come a window at a time: the first fetch asks for two windows and each time the chunks
 * received without a gap reach the last window asked for, the next is asked for; so at most two
 * windows are in flight whatever the model's size. When no chunk comes for a while, the fetch
 * resumes at the first missing chunk; when the store replaced the version meanwhile, the follower
 * starts over on the newest.
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

  /** How long a fetch may go without a chunk before it is resumed at its first missing chunk. */
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

  private final Duration fetchTimeout;

  private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  /** Chunks asked for at a time (32 chunks of 32,768 floats: 4 MiB). */
  static final int WINDOW = 32;

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

  /** The version whose chunks are being fetched, once its first chunk came; null before. */
  private PolicyVersion assembling;

  /** One past the last chunk index asked for of {@link #assembling}. */
  private int requestedUpTo;

  public static Behavior<Command> create(ActorRef<WeightsReady> parent) {
    return create(parent, FETCH_TIMEOUT);
  }

  /** A follower that resumes a fetch after {@code fetchTimeout} without a chunk (tests). */
  static Behavior<Command> create(ActorRef<WeightsReady> parent, Duration fetchTimeout) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(timers -> new WeightsFollower(ctx, timers, parent, fetchTimeout)));
  }

  private WeightsFollower(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<WeightsReady> parent,
      Duration fetchTimeout) {
    super(ctx);
    this.fetchTimeout = fetchTimeout;
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
    assembling = null;
    assembler.reset();
    timers.startSingleTimer(FetchTimedOut.INSTANCE, fetchTimeout);
    PolicyVersion atLeast = delivered == null ? PolicyVersion.INITIAL : delivered.next();
    store.get().tell(new FetchLatest(atLeast, 2 * WINDOW, deliveries));
  }

  private Behavior<Command> onDelivered(Delivered d) {
    if (d.delivery() instanceof NotAvailable n) {
      fetching = false;
      timers.cancel(FetchTimedOut.INSTANCE);
      if (assembling != null && n.requested().equals(assembling)) {
        // The store moved on while this replica was fetching: start over on its newest.
        assembling = null;
        assembler.reset();
        probe = true;
        maybeFetch();
        return this;
      }
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
    if (!chunk.header().version().equals(assembling)) {
      assembling = chunk.header().version();
      requestedUpTo = 2 * WINDOW;
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
                assembling = null;
                parent.tell(new WeightsReady(w));
                maybeFetch();
              });
      if (assembling != null && store.isPresent()) {
        timers.startSingleTimer(FetchTimedOut.INSTANCE, fetchTimeout); // progress: wait anew
        if (requestedUpTo < chunk.count() && assembler.firstMissing() >= requestedUpTo - WINDOW) {
          store.get().tell(new FetchChunks(assembling, requestedUpTo, WINDOW, deliveries));
          requestedUpTo += WINDOW;
        }
      }
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
    if (assembling != null && store.isPresent()) {
      int from = assembler.firstMissing();
      getContext()
          .getLog()
          .warn(
              "no chunk of {} for {}; asking again from chunk {}", assembling, fetchTimeout, from);
      requestedUpTo = from + 2 * WINDOW;
      timers.startSingleTimer(FetchTimedOut.INSTANCE, fetchTimeout);
      store.get().tell(new FetchChunks(assembling, from, 2 * WINDOW, deliveries));
      return this;
    }
    getContext().getLog().warn("no weights within {}; asking again", fetchTimeout);
    assembler.reset();
    fetching = false;
    maybeFetch();
    return this;
  }
}
