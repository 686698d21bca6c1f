package verity.learner;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.protocol.WeightsProtocol.NotAvailable;
import verity.actors.protocol.WeightsProtocol.Offer;
import verity.actors.protocol.WeightsProtocol.VersionPublished;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsHeader;
import verity.actors.weights.plane.PlaneAddress;
import verity.actors.weights.plane.PlaneSettings;
import verity.actors.weights.plane.RelayTree;
import verity.actors.weights.plane.ServedVersion;
import verity.actors.weights.plane.ServedVersions;
import verity.actors.weights.plane.WeightServer;
import verity.actors.weights.plane.WireDtype;

/**
 * Holds the newest policy version, announces each version on the policy-version topic and offers it
 * to replicas that ask: the header over Artery, the bytes from its weight-plane server (or, with
 * relaying on, from a replica that already streams it). Replicas pull, so a slow or busy worker is
 * never flooded with versions it would skip anyway.
 */
public final class PolicyStore extends AbstractBehavior<PolicyStore.Command> {

  /** A message the store accepts. */
  public sealed interface Command extends VerityMessage {}

  /**
   * A new version from the learner that spawned this store; same JVM by construction, so the flat
   * array is handed over, not serialized.
   */
  public record Publish(FlatWeights weights) implements Command, LocalOnly {}

  /**
   * From the learner's training thread, just before it exports the next version: drop the values of
   * the version served now (keeping, with {@code verity.weights.delta}, the one the next is sent as
   * the difference from), so that the learner never holds two versions' values besides its own
   * tensors. Until the next {@link Publish} a replica that asks is told to wait for it; streams
   * already running finish. Answered once dropped.
   */
  public record Release(ActorRef<Done> replyTo) implements Command, LocalOnly {}

  /** Asks where the store's weight plane listens and how many bytes it has sent (benchmarks). */
  public record GetPlaneStats(ActorRef<PlaneStats> replyTo) implements Command, LocalOnly {}

  /** The store's weight plane: its address (null before it is bound) and the bytes it sent. */
  public record PlaneStats(PlaneAddress address, long bytesSent) implements LocalOnly {}

  private record Fetch(WeightsProtocol.Command request) implements Command, LocalOnly {}

  private record Bound(WeightServer server) implements Command, LocalOnly {}

  /** A published version with the checksum of its values as followers hold them. */
  private record Rounded(FlatWeights weights) implements Command, LocalOnly {}

  private final int chunkValues;
  private final WireDtype dtype;
  private final boolean delta;
  private final ActorRef<Topic.Command<VersionPublished>> versions;
  private final ServedVersions served = new ServedVersions();
  private final RelayTree relays;
  private WeightServer server;
  private WeightsHeader latest;

  /** The version served before the latest, which followers on it get differences from. */
  private FlatWeights previous;

  /** The latest version's values were released ({@link Release}) and the next is not yet in. */
  private boolean released;

  /** How long the training thread waits for the store to release its version. */
  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Asks {@code store} to {@link Release} its version and waits for the answer: for the training
   * thread, never an actor's. A store that does not answer in time only costs memory: the export
   * goes on, with a warning.
   */
  public static Runnable releaser(ActorRef<Command> store, ActorSystem<?> system) {
    return () -> {
      try {
        AskPattern.<Command, Done>ask(store, Release::new, RELEASE_TIMEOUT, system.scheduler())
            .toCompletableFuture()
            .join();
      } catch (CompletionException | CancellationException e) {
        system
            .log()
            .warn(
                "the policy store did not release its version within {} ({}); exporting anyway",
                RELEASE_TIMEOUT,
                e.toString());
      }
    };
  }

  public static Behavior<Command> create(int chunkValues, PlaneSettings plane) {
    return Behaviors.setup(ctx -> new PolicyStore(ctx, chunkValues, plane));
  }

  private PolicyStore(ActorContext<Command> ctx, int chunkValues, PlaneSettings plane) {
    super(ctx);
    this.chunkValues = chunkValues;
    this.dtype = plane.dtype();
    this.delta = plane.delta();
    this.relays = new RelayTree(plane.relayFanout());
    this.versions = Topics.policyVersions(ctx);
    ctx.pipeToSelf(
        WeightServer.bind(ctx.getSystem(), plane.host(), plane.host(), plane.port(), served),
        (bound, error) -> {
          if (error != null) {
            throw new IllegalStateException(
                "cannot bind the weight plane on " + plane.host() + ":" + plane.port(), error);
          }
          return new Bound(bound);
        });
    ActorRef<WeightsProtocol.Command> requests =
        ctx.messageAdapter(WeightsProtocol.Command.class, Fetch::new);
    ctx.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.POLICY_STORE, requests));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Publish.class, this::onPublish)
        .onMessage(Rounded.class, r -> serve(r.weights()))
        .onMessage(Fetch.class, this::onFetch)
        .onMessage(Bound.class, this::onBound)
        .onMessage(Release.class, this::onRelease)
        .onMessage(
            GetPlaneStats.class,
            g -> {
              g.replyTo()
                  .tell(
                      server == null
                          ? new PlaneStats(null, 0)
                          : new PlaneStats(server.address(), server.bytesSent()));
              return this;
            })
        .onSignal(PostStop.class, s -> onStop())
        .onSignal(PreRestart.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onBound(Bound b) {
    server = b.server();
    getContext().getLog().info("weight plane serving at {}", server.address());
    return this;
  }

  private Behavior<Command> onPublish(Publish p) {
    if (latest != null && !p.weights().version().isNewerThan(latest.version())) {
      getContext()
          .getLog()
          .warn("ignoring {}: already at {}", p.weights().version(), latest.version());
      return this;
    }
    FlatWeights weights = p.weights();
    if (dtype == WireDtype.FLOAT32) {
      return serve(weights);
    }
    // The checksum of the rounded values is a pass over the whole model: off this actor's thread,
    // which answers fetches meanwhile.
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(
                () -> new FlatWeights(dtype.roundedHeader(weights), weights.values()),
                getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
            (rounded, error) -> {
              if (error != null) {
                throw new IllegalStateException("cannot round " + weights.version(), error);
              }
              return new Rounded(rounded);
            });
    return this;
  }

  private Behavior<Command> onRelease(Release r) {
    served.clear();
    released = latest != null;
    r.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> serve(FlatWeights weights) {
    if (latest != null && !weights.version().isNewerThan(latest.version())) {
      return this; // an older version whose rounding finished after a newer one's
    }
    served.offer(ServedVersion.complete(weights, delta ? previous : null, chunkValues, dtype));
    previous = delta ? weights : null;
    latest = weights.header();
    released = false;
    relays.reset();
    versions.tell(Topic.publish(new VersionPublished(latest)));
    return this;
  }

  private Behavior<Command> onFetch(Fetch f) {
    FetchLatest request = (FetchLatest) f.request();
    PolicyVersion at = latest == null ? null : latest.version();
    if (latest == null || server == null || released || request.atLeast().isNewerThan(at)) {
      request.replyTo().tell(new NotAvailable(request.atLeast(), server == null ? null : at));
      return this;
    }
    request
        .replyTo()
        .tell(
            new Offer(
                latest,
                chunkValues,
                dtype,
                server.address(),
                relays.upstreamFor(request.relay(), server.address())));
    return this;
  }

  private Behavior<Command> onStop() {
    if (server != null) {
      server.unbind();
    }
    return this;
  }
}
