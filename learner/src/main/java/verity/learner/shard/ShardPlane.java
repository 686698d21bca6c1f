package verity.learner.shard;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.plane.PartialVersion;
import verity.actors.weights.plane.PlaneSettings;
import verity.actors.weights.plane.ServedSet;
import verity.actors.weights.plane.WeightFetch;
import verity.actors.weights.plane.WeightServer;
import verity.actors.weights.plane.WireDtype;

/**
 * A learner node's end of the weight plane for its shards: the coordinator's state for a shard, a
 * shard's gradient and the reduced gradient are served here per tensor, in CRC32C chunks, and the
 * actor messages carry only a {@link TensorsRef}; the other side fetches them. Before, these were
 * whole-model actor messages, which Artery could carry between nodes only up to its frame size. One
 * per actor system, bound on the plane's host at a free port when first used.
 */
public final class ShardPlane implements Extension {
  /**
   * Sets served at once, the oldest dropped first: on the coordinator's node a state (three sets,
   * shared by every shard that loads it) and the reduced gradients of a step or two; on a shard's
   * node its last gradients. One dropped before it was fetched fails that step, which is retried.
   */
  private static final int SERVED = 8;

  private final ActorSystem<?> system;
  private final PlaneSettings settings;
  private final ServedSet served;
  private final WeightServer server;
  private final AtomicLong names = new AtomicLong();

  private ShardPlane(ActorSystem<?> system) {
    this.system = system;
    this.settings = PlaneSettings.from(system.settings().config());
    this.served =
        new ServedSet(
            SERVED, system.settings().config().getInt("verity.learner.weight-chunk-values"));
    this.server =
        WeightServer.bind(system, settings.host(), settings.host(), 0, served)
            .toCompletableFuture()
            .join();
    system.getWhenTerminated().thenRun(server::unbind);
  }

  /** The plane of {@code system}'s node. */
  public static ShardPlane get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** Serves {@code tensors} under a new name and returns where to fetch them. */
  public TensorsRef offer(FlatWeights tensors) {
    FlatWeights named = tensors.as(PolicyVersion.of(names.incrementAndGet()));
    served.offer(named);
    return new TensorsRef(named.header(), server.address(), served.chunkValues());
  }

  /** Whether this node still serves what {@code ref} names (newer sets push the oldest out). */
  public boolean serves(TensorsRef ref) {
    return served.contains(ref.header().version());
  }

  /** Fetches the tensors {@code ref} names, their checksum verified. */
  public CompletionStage<FlatWeights> fetch(TensorsRef ref) {
    PartialVersion target = new PartialVersion(ref.header(), ref.chunkValues(), WireDtype.FLOAT32);
    return WeightFetch.run(system, target, ref.at(), ref.at(), settings.fetch());
  }

  private static final class Id extends ExtensionId<ShardPlane> {
    private static final Id INSTANCE = new Id();

    @Override
    public ShardPlane createExtension(ActorSystem<?> system) {
      return new ShardPlane(system);
    }
  }
}
