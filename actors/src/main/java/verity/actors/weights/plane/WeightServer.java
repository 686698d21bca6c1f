package verity.actors.weights.plane;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Framing;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import verity.actors.ids.PolicyVersion;

/**
 * Serves policy versions over the weight plane: a TCP server (Akka Streams) beside Artery that
 * sends a version's chunks in order to each follower that asks, as fast as that follower reads them
 * (TCP's flow control; nothing is queued beyond the socket and a few frames). Bulk bytes stay off
 * Artery, whose large-message queue drops what it cannot hold and whose actor messages would copy
 * every chunk through serialization.
 */
public final class WeightServer {
  /** How long a request for a newer version than the one served waits for it. */
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  private final Tcp.ServerBinding binding;
  private final PlaneAddress address;
  private final AtomicLong bytesSent;

  private WeightServer(Tcp.ServerBinding binding, String host, AtomicLong bytesSent) {
    this.binding = binding;
    this.address = new PlaneAddress(host, binding.localAddress().getPort());
    this.bytesSent = bytesSent;
  }

  /**
   * Binds a server on {@code bindHost:port} (0 = any free port) that serves what {@code versions}
   * holds; {@code advertisedHost} is the name other nodes reach it by.
   */
  public static CompletionStage<WeightServer> bind(
      ActorSystem<?> system,
      String bindHost,
      String advertisedHost,
      int port,
      ServedVersions versions) {
    AtomicLong sent = new AtomicLong();
    Flow<ByteString, ByteString, NotUsed> serve =
        Flow.of(ByteString.class)
            .via(Framing.lengthField(4, 0, PlaneFrames.MAX_REQUEST, ByteOrder.LITTLE_ENDIAN))
            .flatMapConcat(frame -> respond(PlaneFrames.parseRequest(frame), versions))
            .map(
                frame -> {
                  sent.addAndGet(frame.size());
                  return frame;
                });
    return Tcp.get(system)
        .bind(bindHost, port, 100, List.of(), false, Optional.empty())
        .to(Sink.foreach(connection -> connection.handleWith(serve, system)))
        .run(system)
        .thenApply(b -> new WeightServer(b, advertisedHost, sent));
  }

  private static Source<ByteString, NotUsed> respond(
      PlaneFrames.Request request, ServedVersions versions) {
    return Source.completionStage(versions.find(request.version(), PATIENCE))
        .flatMapConcat(
            found ->
                found
                    .map(v -> chunks(v, request.from(), request.base()))
                    .orElse(Source.single(PlaneFrames.gone())));
  }

  private static Source<ByteString, NotUsed> chunks(
      ServedVersion version, int from, PolicyVersion base) {
    int count = version.layout().count();
    if (from >= count) {
      return Source.empty();
    }
    return Source.range(from, count - 1)
        .mapAsync(
            1, i -> version.arrival(i).thenApply(present -> PlaneFrames.frame(version, i, base)));
  }

  public PlaneAddress address() {
    return address;
  }

  /** Bytes of frames sent so far, to every follower together. */
  public long bytesSent() {
    return bytesSent.get();
  }

  public CompletionStage<Void> unbind() {
    return binding.unbind().thenApply(done -> null);
  }
}
