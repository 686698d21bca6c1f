package verity.policy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Native model work that was still running when its actor stopped. An actor closes its replica only
 * after its last step or batch returns; the process must also wait for that before it exits, since
 * PyTorch's native state is torn down at exit and a step still inside it would crash the JVM.
 */
public final class NativeWork {
  private static final Set<CompletableFuture<?>> PENDING = ConcurrentHashMap.newKeySet();

  private NativeWork() {}

  /** Closes {@code policy} once {@code inFlight} is done, and keeps the exit waiting until then. */
  public static void closeAfter(CompletableFuture<?> inFlight, Policy policy) {
    CompletableFuture<Void> closed =
        inFlight.handle(
            (ok, err) -> {
              if (policy != null) {
                policy.close();
              }
              return null;
            });
    PENDING.add(closed);
    closed.whenComplete((ok, err) -> PENDING.remove(closed));
  }

  /**
   * Waits until every tracked piece of native work is done and its replica closed.
   *
   * @return false when some were still running after {@code timeout}
   */
  public static boolean awaitAll(Duration timeout) throws InterruptedException {
    try {
      CompletableFuture.allOf(PENDING.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true; // a failed step is done all the same
    }
  }
}
