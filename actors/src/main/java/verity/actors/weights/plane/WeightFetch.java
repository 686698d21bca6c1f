package verity.actors.weights.plane;

import akka.Done;
import akka.actor.typed.ActorSystem;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verity.actors.weights.ChecksumMismatchException;
import verity.actors.weights.FlatWeights;

/**
 * Fetches one version over the weight plane into a {@link PartialVersion}: from the upstream the
 * store assigned (the store itself or a follower that relays), and when that stream breaks, stalls
 * or sends a corrupt chunk, from the store, resuming at the first chunk not yet received. Completes
 * with the verified version, or fails when the store no longer holds it (a newer one replaced it),
 * when the whole fails its checksum, or after {@code attempts} broken streams.
 */
public final class WeightFetch {
  private static final Logger LOG = LoggerFactory.getLogger(WeightFetch.class);

  /** How a fetch connects and when it gives a stream up. */
  public record Settings(Duration connectTimeout, Duration idleTimeout, int attempts) {}

  private final ActorSystem<?> system;
  private final PartialVersion target;
  private final PlaneAddress store;
  private final Settings settings;

  private WeightFetch(
      ActorSystem<?> system, PartialVersion target, PlaneAddress store, Settings settings) {
    this.system = system;
    this.target = target;
    this.store = store;
    this.settings = settings;
  }

  /** Fetches {@code target}'s version from {@code upstream}, falling back to {@code store}. */
  public static CompletionStage<FlatWeights> run(
      ActorSystem<?> system,
      PartialVersion target,
      PlaneAddress upstream,
      PlaneAddress store,
      Settings settings) {
    return new WeightFetch(system, target, store, settings).attempt(upstream, 1);
  }

  private CompletionStage<FlatWeights> attempt(PlaneAddress from, int attempt) {
    CompletionStage<Done> streamed =
        target.isComplete() ? CompletableFuture.completedFuture(Done.getInstance()) : stream(from);
    return streamed
        .handle(
            (done, error) -> {
              Throwable cause = error == null ? null : unwrap(error);
              if (cause == null && target.isComplete()) {
                return CompletableFuture.completedFuture(target.finish());
              }
              if (cause == null) {
                cause =
                    new PlaneFrames.PlaneProtocolException(
                        from
                            + " ended "
                            + target.header().version()
                            + " at chunk "
                            + target.received());
              }
              if (cause instanceof ChecksumMismatchException
                  || (cause instanceof PartialVersion.VersionGoneException && from.equals(store))
                  || attempt >= settings.attempts()) {
                return CompletableFuture.<FlatWeights>failedFuture(cause);
              }
              LOG.warn(
                  "weights {} from {} stopped at chunk {} of {} ({}); resuming from the store {}",
                  target.header().version(),
                  from,
                  target.received(),
                  target.layout().count(),
                  cause.toString(),
                  store);
              // A relay that failed is skipped at once; the store itself is asked again after a
              // pause.
              long pause = from.equals(store) ? settings.connectTimeout().toMillis() / 5 : 0;
              return CompletableFuture.supplyAsync(
                      () -> null, CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS))
                  .thenCompose(x -> attempt(store, attempt + 1));
            })
        .thenCompose(x -> x);
  }

  /**
   * Streams from {@code from} on a thread of its own until the version is in or the stream ends.
   */
  private CompletionStage<Done> stream(PlaneAddress from) {
    CompletableFuture<Done> done = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                streamBlocking(from);
                done.complete(Done.getInstance());
              } catch (Throwable e) {
                done.completeExceptionally(e);
              }
            },
            "weight-fetch-" + system.name() + "-" + target.header().version());
    t.setDaemon(true);
    t.start();
    return done;
  }

  /**
   * Asks {@code from} for the chunks not yet received and takes each frame as it arrives, into one
   * buffer as large as the largest frame; returns when the version is in or the peer closed.
   */
  private void streamBlocking(PlaneAddress from) throws IOException {
    int maxFrame = PlaneFrames.maxChunkFrame(target.layout(), target.dtype());
    byte[] frame = new byte[maxFrame];
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(from.host(), from.port()),
          (int) settings.connectTimeout().toMillis());
      socket.setSoTimeout((int) settings.idleTimeout().toMillis());
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      out.write(
          PlaneFrames.request(target.header().version(), target.received(), target.baseVersion())
              .toArrayUnsafe());
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int size = PlaneFrames.readFrame(in, frame, 1, maxFrame - PlaneFrames.LENGTH_FIELD, from);
        if (size < 0) {
          return; // the peer ended the stream; the caller sees what is missing
        }
        if (target.accept(ByteBuffer.wrap(frame, 0, size))) {
          return;
        }
      }
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
