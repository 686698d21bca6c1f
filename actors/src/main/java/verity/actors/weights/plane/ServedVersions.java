package verity.actors.weights.plane;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import verity.actors.ids.PolicyVersion;

/**
 * The one version a weight-plane server hands out to new requests: the last offered (normally the
 * newest; a replica whose store went back to an older version serves that one). A request for a
 * newer version waits a little for it (a relay is asked for a version it has just begun to fetch
 * itself); one for an older version gets nothing, and its follower goes to the store. Streams
 * already sending an older version go on with it. Thread-safe.
 */
public final class ServedVersions implements VersionSource {
  private ServedVersion latest;
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(PolicyVersion version, CompletableFuture<Optional<ServedVersion>> found) {}

  /** Serves {@code version} from now on, in place of the one served so far. */
  public void offer(ServedVersion version) {
    List<Waiter> ready = new ArrayList<>();
    synchronized (this) {
      PolicyVersion v = version.header().version();
      latest = version;
      waiters.removeIf(
          w -> {
            if (!w.version().isNewerThan(v)) {
              ready.add(w);
              return true;
            }
            return false;
          });
    }
    for (Waiter w : ready) {
      w.found()
          .complete(
              w.version().equals(version.header().version())
                  ? Optional.of(version)
                  : Optional.empty());
    }
  }

  /** Stops serving anything (a follower dropping its copy). */
  public synchronized void clear() {
    latest = null;
  }

  /** The served version named {@code version}, waiting up to {@code patience} for a newer one. */
  @Override
  public CompletionStage<Optional<ServedVersion>> find(PolicyVersion version, Duration patience) {
    CompletableFuture<Optional<ServedVersion>> found = new CompletableFuture<>();
    synchronized (this) {
      PolicyVersion at = latest == null ? null : latest.header().version();
      if (at != null && !version.isNewerThan(at)) {
        return CompletableFuture.completedFuture(
            version.equals(at) ? Optional.of(latest) : Optional.empty());
      }
      Waiter w = new Waiter(version, found);
      waiters.add(w);
    }
    found.completeOnTimeout(Optional.empty(), patience.toMillis(), TimeUnit.MILLISECONDS);
    found.whenComplete(
        (r, e) -> {
          synchronized (this) {
            waiters.removeIf(x -> x.found() == found);
          }
        });
    return found;
  }
}
