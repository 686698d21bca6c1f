package verity.rollout;

import akka.actor.typed.ActorSystem;
import java.util.concurrent.TimeUnit;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.protocol.WeightsProtocol.Offer;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.plane.ServedVersion;
import verity.actors.weights.plane.ServedVersions;
import verity.actors.weights.plane.WeightServer;
import verity.actors.weights.plane.WireDtype;

/** A test's stand-in for the policy store's weight plane: a real server on loopback. */
final class TestPlane {
  static final int CHUNK = 4096;

  private final ServedVersions versions = new ServedVersions();
  private final WeightServer server;

  TestPlane(ActorSystem<?> system) {
    try {
      server =
          WeightServer.bind(system, "127.0.0.1", "127.0.0.1", 0, versions)
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind a test weight plane", e);
    }
  }

  /** Serves {@code weights} and offers them in answer to {@code fetch}. */
  void offer(FetchLatest fetch, FlatWeights weights) {
    versions.offer(ServedVersion.complete(weights, CHUNK, WireDtype.FLOAT32));
    fetch
        .replyTo()
        .tell(
            new Offer(
                weights.header(), CHUNK, WireDtype.FLOAT32, server.address(), server.address()));
  }
}
