package verity.actors.weights.plane;

import akka.actor.typed.ActorSystem;
import akka.util.ByteString;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves policy versions over the weight plane: a TCP server beside Artery that sends a version's
 * chunks in order to each follower that asks, as fast as that follower reads them (a blocking write
 * is TCP's flow control; nothing is queued beyond the socket and the frame being written). Bulk
 * bytes stay off Artery, whose large-message queue drops what it cannot hold and whose actor
 * messages would copy every chunk through serialization.
 *
 * <p>Each connection has a thread of its own that writes whole frames with one call each, as a
 * plain socket copy does: the same server on Akka Streams TCP moved each megabyte in 128 KiB reads
 * and writes with a message between actors for each, and spent three times the CPU of a raw copy
 * (docs/results.md, issue 17). A follower per connection and a few followers per store keep the
 * threads few.
 */
public final class WeightServer {
  private static final Logger LOG = LoggerFactory.getLogger(WeightServer.class);

  /** How long a request for a newer version than the one served waits for it. */
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  /**
   * How long a relay waits for a chunk it has not received yet; a follower waiting longer has given
   * the stream up (its idle timeout is shorter) and resumed from the store.
   */
  private static final Duration ARRIVAL_PATIENCE = Duration.ofSeconds(60);

  /** How long a connection may take to send its request. */
  private static final int REQUEST_TIMEOUT_MILLIS = 10_000;

  private final ServerSocket socket;
  private final PlaneAddress address;
  private final VersionSource versions;
  private final AtomicLong bytesSent = new AtomicLong();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private WeightServer(ServerSocket socket, String host, VersionSource versions) {
    this.socket = socket;
    this.address = new PlaneAddress(host, socket.getLocalPort());
    this.versions = versions;
  }

  /**
   * Binds a server on {@code bindHost:port} (0 = any free port) that serves what {@code versions}
   * holds; {@code advertisedHost} is the name other nodes reach it by. {@code system} names the
   * node in thread names.
   */
  public static CompletionStage<WeightServer> bind(
      ActorSystem<?> system,
      String bindHost,
      String advertisedHost,
      int port,
      VersionSource versions) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(bindHost, port), 100);
      WeightServer server = new WeightServer(s, advertisedHost, versions);
      daemon(server::acceptLoop, "weight-plane-" + system.name() + "-" + s.getLocalPort());
      return CompletableFuture.completedFuture(server);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new IOException("cannot bind the weight plane on " + bindHost + ":" + port, e));
    }
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket connection = socket.accept();
        open.add(connection);
        daemon(() -> serve(connection), Thread.currentThread().getName() + "-follower");
      } catch (IOException e) {
        if (!socket.isClosed()) {
          LOG.warn("weight plane {}: accept failed: {}", address, e.toString());
        }
      }
    }
  }

  /** Runs on the connection's thread: answers requests until the follower closes. */
  private void serve(Socket connection) {
    try (connection) {
      connection.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(connection.getInputStream());
      OutputStream out = connection.getOutputStream();
      while (true) {
        connection.setSoTimeout(REQUEST_TIMEOUT_MILLIS);
        byte[] request = new byte[PlaneFrames.MAX_REQUEST];
        int body = PlaneFrames.MAX_REQUEST - PlaneFrames.LENGTH_FIELD;
        if (PlaneFrames.readFrame(in, request, body, body, connection.getRemoteSocketAddress())
            < 0) {
          return; // the follower has what it asked for
        }
        connection.setSoTimeout(0);
        respond(PlaneFrames.parseRequest(ByteString.fromArrayUnsafe(request)), out);
      }
    } catch (SocketException | SocketTimeoutException e) {
      // the follower went away (or the server stopped): nothing to tell anyone
    } catch (IOException | RuntimeException e) {
      LOG.warn("weight plane {}: a follower's connection failed: {}", address, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(connection);
    }
  }

  private void respond(PlaneFrames.Request request, OutputStream out)
      throws IOException, InterruptedException {
    Optional<ServedVersion> found =
        await(versions.find(request.version(), PATIENCE), PATIENCE.multipliedBy(2));
    if (found.isEmpty()) {
      write(PlaneFrames.gone(), out);
      return;
    }
    ServedVersion version = found.get();
    byte[] whole = new byte[PlaneFrames.maxChunkFrame(version.layout(), version.dtype())];
    for (int i = request.from(); i < version.layout().count(); i++) {
      await(version.arrival(i), ARRIVAL_PATIENCE); // a relay sends a chunk once it has it
      ByteString difference = PlaneFrames.differenceFor(version, i, request.base());
      if (difference != null) {
        write(difference, out);
      } else {
        int length = PlaneFrames.chunkInto(version, i, whole);
        bytesSent.addAndGet(length);
        out.write(whole, 0, length);
      }
    }
    out.flush();
  }

  /** Counted before it is written: the follower may have it before the write returns. */
  private void write(ByteString frame, OutputStream out) throws IOException {
    bytesSent.addAndGet(frame.size());
    out.write(frame.toArrayUnsafe());
  }

  private static <T> T await(CompletionStage<T> stage, Duration patience)
      throws IOException, InterruptedException {
    try {
      return stage.toCompletableFuture().get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(cause);
    } catch (TimeoutException e) {
      throw new IOException("nothing to send after " + patience.toSeconds() + " s", e);
    }
  }

  private static void daemon(Runnable task, String name) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
  }

  public PlaneAddress address() {
    return address;
  }

  /** Bytes of frames sent so far, to every follower together. */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** Stops accepting and closes every connection; a follower resumes elsewhere. */
  public CompletionStage<Void> unbind() {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.warn("weight plane {}: closing: {}", address, e.toString());
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    return CompletableFuture.completedFuture(null);
  }
}
