package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.Locale;
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
import verity.actors.protocol.WeightsProtocol.Offer;
import verity.actors.protocol.WeightsProtocol.VersionPublished;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.plane.PartialVersion;
import verity.actors.weights.plane.PlaneAddress;
import verity.actors.weights.plane.PlaneSettings;
import verity.actors.weights.plane.ServedVersions;
import verity.actors.weights.plane.WeightFetch;
import verity.actors.weights.plane.WeightServer;

/**
 * Follows the policy store for a replica (a rollout worker or an evaluator): listens to version
 * announcements, asks the store for the newest version, streams its bytes over the weight plane
 * ({@link WeightFetch}: checked chunk by chunk and as a whole, resumed at the first missing chunk
 * when a stream breaks) and hands the verified version to its parent. A replica that joins mid-run
 * fetches the current version at once; one that falls behind skips straight to the newest; one that
 * holds a version newer than the store's (the learner resumed from an older checkpoint) goes back
 * to the store's. With relaying on, it serves what it receives to the replicas the store sends to
 * it, chunk by chunk as the chunks arrive.
 */
public final class WeightsFollower extends AbstractBehavior<WeightsFollower.Command> {

  /** A message the follower accepts. */
  public sealed interface Command extends VerityMessage {}

  /** Handed to the parent: a complete, verified version. Parent and child share a JVM. */
  public record WeightsReady(FlatWeights weights) implements LocalOnly {}

  /** Handed to an on-demand follower's parent: a version newer than any reported before. */
  public record VersionSeen(PolicyVersion version) implements LocalOnly {}

  /**
   * From the parent of a paced follower: the version handed over is in its replica (or was replaced
   * there by a newer one), so the next may be fetched.
   */
  public record Loaded(PolicyVersion version) implements Command, LocalOnly {}

  /**
   * From the parent of an on-demand follower: fetch the newest version now (once; the next fetch
   * needs another request).
   */
  public enum FetchNewest implements Command, LocalOnly {
    INSTANCE
  }

  private record Announced(VersionPublished published) implements Command, LocalOnly {}

  private record Stores(Set<ActorRef<WeightsProtocol.Command>> stores)
      implements Command, LocalOnly {}

  private record Replied(WeightsProtocol.Reply reply) implements Command, LocalOnly {}

  private record Fetched(FlatWeights weights) implements Command, LocalOnly {}

  private record FetchFailed(PolicyVersion version, Throwable cause)
      implements Command, LocalOnly {}

  private record RelayBound(WeightServer server) implements Command, LocalOnly {}

  private enum ReplyTimedOut implements Command, LocalOnly {
    INSTANCE
  }

  /** Asks the store again; announcements may be lost while topic instances find each other. */
  private enum Poll implements Command, LocalOnly {
    INSTANCE
  }

  private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  /** How long the store has to answer a request before it is asked again. */
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

  private final ActorRef<WeightsReady> parent;

  /** Where an on-demand follower reports the versions it learns of; null for an eager one. */
  private final ActorRef<VersionSeen> versionsSeen;

  /**
   * A paced follower fetches nothing while its parent has not loaded the version handed over: a
   * replica then holds at most one version besides its tensors (2 GB of heap at 500M parameters).
   */
  private final boolean paced;

  /** A paced follower handed a version over and its parent has not loaded it yet. */
  private boolean unloaded;

  /** An on-demand follower's parent asked for the newest version and has not received it yet. */
  private boolean wanted;

  /** The newest version reported to {@link #versionsSeen}. */
  private PolicyVersion reported;

  private final TimerScheduler<Command> timers;
  private final ActorRef<WeightsProtocol.Reply> replies;
  private final PlaneSettings plane;
  private final ServedVersions relayed = new ServedVersions();
  private WeightServer relay;
  private Optional<ActorRef<WeightsProtocol.Command>> store = Optional.empty();

  /** The newest version announced, or null before the first announcement. */
  private PolicyVersion announced;

  /** The version handed to the parent, or null before the first. */
  private PolicyVersion delivered;

  /**
   * The delivered version's values, kept as the base the next one may arrive as a difference from
   * ({@code verity.weights.delta}); null otherwise. The same array the parent was handed.
   */
  private FlatWeights held;

  /** Ask the store for anything newer than {@link #delivered}, announced or not. */
  private boolean probe;

  /** True from a request to the store until its version is in or given up. */
  private boolean fetching;

  /** The version being streamed, or null. */
  private PartialVersion streaming;

  /** When the stream of {@link #streaming} began ({@link System#nanoTime()}). */
  private long streamStarted;

  /** A follower that fetches every new version as soon as it is announced. */
  public static Behavior<Command> create(ActorRef<WeightsReady> parent) {
    return create(parent, null, false);
  }

  /**
   * A follower that fetches each new version once its parent has loaded the one handed over before
   * ({@link Loaded}), skipping to the newest then (rollout workers).
   */
  public static Behavior<Command> paced(ActorRef<WeightsReady> parent) {
    return create(parent, null, true);
  }

  /**
   * A follower that only reports the versions it learns of to {@code versionsSeen} and fetches the
   * newest when asked ({@link FetchNewest}): for a replica that uses few of the versions (the
   * evaluator), so that it neither streams nor holds the others.
   */
  public static Behavior<Command> onDemand(
      ActorRef<WeightsReady> parent, ActorRef<VersionSeen> versionsSeen) {
    return create(parent, versionsSeen, false);
  }

  private static Behavior<Command> create(
      ActorRef<WeightsReady> parent, ActorRef<VersionSeen> versionsSeen, boolean paced) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new WeightsFollower(
                        ctx,
                        timers,
                        parent,
                        versionsSeen,
                        paced,
                        PlaneSettings.from(ctx.getSystem().settings().config()))));
  }

  private WeightsFollower(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<WeightsReady> parent,
      ActorRef<VersionSeen> versionsSeen,
      boolean paced,
      PlaneSettings plane) {
    super(ctx);
    this.parent = parent;
    this.versionsSeen = versionsSeen;
    this.paced = paced;
    this.timers = timers;
    this.plane = plane;
    this.replies = ctx.messageAdapter(WeightsProtocol.Reply.class, Replied::new);
    ActorRef<Topic.Command<VersionPublished>> topic = Topics.policyVersions(ctx);
    topic.tell(Topic.subscribe(ctx.messageAdapter(VersionPublished.class, Announced::new)));
    ServiceWatcher.spawn(ctx, ServiceKeys.POLICY_STORE, Stores::new);
    timers.startTimerWithFixedDelay(Poll.INSTANCE, POLL_INTERVAL);
    if (plane.relays()) {
      ctx.pipeToSelf(
          WeightServer.bind(ctx.getSystem(), plane.host(), plane.host(), 0, relayed),
          (bound, error) -> {
            if (error != null) {
              throw new IllegalStateException(
                  "cannot bind a weight-plane relay on " + plane.host(), error);
            }
            return new RelayBound(bound);
          });
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Announced.class, this::onAnnounced)
        .onMessage(Stores.class, this::onStores)
        .onMessage(Replied.class, this::onReplied)
        .onMessage(Fetched.class, this::onFetched)
        .onMessage(FetchFailed.class, this::onFetchFailed)
        .onMessage(RelayBound.class, this::onRelayBound)
        .onMessageEquals(ReplyTimedOut.INSTANCE, this::onReplyTimedOut)
        .onMessageEquals(Poll.INSTANCE, this::onPoll)
        .onMessageEquals(FetchNewest.INSTANCE, this::onFetchNewest)
        .onMessage(Loaded.class, this::onLoaded)
        .onSignal(PostStop.class, s -> onStop())
        .onSignal(PreRestart.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onAnnounced(Announced a) {
    announced = newest(announced, a.published().header().version());
    report(announced);
    maybeFetch();
    return this;
  }

  private Behavior<Command> onLoaded(Loaded l) {
    // A paced follower hands over nothing while the last is unloaded: this is that one.
    unloaded = false;
    maybeFetch();
    return this;
  }

  private Behavior<Command> onFetchNewest() {
    wanted = true;
    probe = true;
    delivered = null; // the parent kept nothing: whatever the store holds now is wanted
    held = null;
    maybeFetch();
    return this;
  }

  /** Tells an on-demand follower's parent of a version newer than any told before. */
  private void report(PolicyVersion version) {
    if (versionsSeen != null && version != null && !version.equals(reported)) {
      reported = version;
      versionsSeen.tell(new VersionSeen(version));
    }
  }

  /** An on-demand follower not asked for weights asks the store only until it knows a version. */
  private boolean idle() {
    return versionsSeen != null && !wanted;
  }

  private Behavior<Command> onStores(Stores s) {
    store = s.stores().stream().findFirst();
    // A replica that joins mid-run asks for whatever is current, without waiting for a new version.
    probe = true;
    if (streaming == null) {
      fetching = false;
    }
    maybeFetch();
    return this;
  }

  private Behavior<Command> onRelayBound(RelayBound b) {
    relay = b.server();
    getContext().getLog().debug("relaying weights at {}", relay.address());
    return this;
  }

  private void maybeFetch() {
    boolean newer = announced != null && (delivered == null || announced.isNewerThan(delivered));
    if (fetching || unloaded || store.isEmpty() || !(newer || probe)) {
      return;
    }
    if (idle() && announced != null) {
      return;
    }
    fetching = true;
    timers.startSingleTimer(ReplyTimedOut.INSTANCE, REPLY_TIMEOUT);
    PolicyVersion atLeast = delivered == null ? PolicyVersion.INITIAL : delivered.next();
    PlaneAddress relayAt = relay == null ? null : relay.address();
    store.get().tell(new FetchLatest(atLeast, relayAt, replies));
  }

  private Behavior<Command> onReplied(Replied r) {
    if (streaming != null) {
      return this; // a late answer to an earlier request
    }
    timers.cancel(ReplyTimedOut.INSTANCE);
    if (r.reply() instanceof Offer offer) {
      return onOffer(offer);
    }
    NotAvailable n = (NotAvailable) r.reply();
    fetching = false;
    probe = false;
    if (n.latest() != null && delivered != null && delivered.isNewerThan(n.latest())) {
      // The store is behind what this replica holds (a new run on a store that forgot the old
      // one's epochs): take the store's current version.
      getContext().getLog().info("policy store at {}; replacing {}", n.latest(), delivered);
      delivered = null;
      held = null;
      announced = n.latest();
      maybeFetch();
      return this;
    }
    announced = newest(delivered, n.latest()); // wait for the next announcement
    return this;
  }

  private Behavior<Command> onOffer(Offer offer) {
    PolicyVersion version = offer.header().version();
    if (idle()) {
      announced = newest(announced, version);
      report(version);
      fetching = false;
      probe = false;
      return this;
    }
    if (delivered != null && !version.isNewerThan(delivered)) {
      fetching = false;
      probe = false;
      return this;
    }
    PartialVersion target =
        new PartialVersion(offer.header(), offer.chunkValues(), offer.dtype(), held);
    streaming = target;
    streamStarted = System.nanoTime();
    if (relay != null) {
      relayed.offer(target);
    }
    getContext()
        .pipeToSelf(
            WeightFetch.run(
                getContext().getSystem(), target, offer.upstream(), offer.store(), plane.fetch()),
            (weights, error) ->
                error == null ? new Fetched(weights) : new FetchFailed(version, error));
    return this;
  }

  private Behavior<Command> onFetched(Fetched f) {
    if (streaming != null) {
      logReceived(f.weights(), streaming, (System.nanoTime() - streamStarted) / 1e9);
    }
    streaming = null;
    fetching = false;
    probe = false;
    delivered = f.weights().version();
    held = plane.delta() ? f.weights() : null;
    announced = newest(announced, delivered);
    wanted = false;
    unloaded = paced;
    parent.tell(new WeightsReady(f.weights()));
    maybeFetch();
    return this;
  }

  /** One line per version: how long it took and what it weighed on the wire, whole. */
  private void logReceived(FlatWeights weights, PartialVersion received, double seconds) {
    getContext()
        .getLog()
        .info(
            "weights {} in {} s ({} MB whole as {}{})",
            weights.version(),
            String.format(Locale.ROOT, "%.2f", seconds),
            weights.values().length() * received.dtype().bytes() / 1_000_000,
            received.dtype(),
            received.baseVersion() == null
                ? ""
                : ", sent as differences from " + received.baseVersion());
  }

  private Behavior<Command> onFetchFailed(FetchFailed f) {
    getContext()
        .getLog()
        .warn(
            "weights {} not fetched ({}); asking the store again",
            f.version(),
            f.cause().toString());
    if (streaming != null) {
      streaming.abandon();
      streaming = null;
    }
    relayed.clear();
    fetching = false;
    probe = true; // the store's newest, at the next poll
    return this;
  }

  private Behavior<Command> onPoll() {
    probe = true;
    maybeFetch();
    return this;
  }

  private Behavior<Command> onReplyTimedOut() {
    if (streaming == null) {
      getContext()
          .getLog()
          .warn("no answer from the policy store within {}; asking again", REPLY_TIMEOUT);
      fetching = false;
      maybeFetch();
    }
    return this;
  }

  private Behavior<Command> onStop() {
    if (streaming != null) {
      streaming.abandon();
    }
    if (relay != null) {
      relay.unbind();
    }
    return this;
  }

  /** The newer of two versions, either of which may be null (none yet). */
  private static PolicyVersion newest(PolicyVersion a, PolicyVersion b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) >= 0 ? a : b;
  }
}
