package verity.deploy.run;

import akka.actor.typed.ActorSystem;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops a command's actor system within a bound. An actor that blocks its thread keeps the system
 * from terminating, and a command that waited without a bound would never write its summary nor
 * exit; instead it says so, names the threads that run Verity code (where the block is), and goes
 * on.
 */
public final class SystemStop {
  /** What is said when the system did not stop; tests look for it. */
  public static final String DID_NOT_STOP = "the actor system did not stop within";

  /** The frames of each thread that the report shows. */
  private static final int FRAMES = 12;

  private SystemStop() {}

  /**
   * Terminates {@code system} and waits for it up to {@code timeout}.
   *
   * @return false (having printed which threads were at work to {@code err}) when it did not stop
   */
  public static boolean terminate(
      ActorSystem<?> system, Duration timeout, String command, PrintWriter err)
      throws InterruptedException {
    system.terminate();
    try {
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      err.printf(
          Locale.ROOT,
          "%s: %s %d s; threads at work:%n%s",
          command,
          DID_NOT_STOP,
          timeout.toSeconds(),
          threadsAtWork(Thread.getAllStackTraces()));
      err.flush();
      return false;
    } catch (ExecutionException e) {
      return true; // terminated, with a failure Akka has logged
    }
  }

  /**
   * The threads among {@code stacks} with a Verity frame (but the caller's), each with its top
   * frames.
   */
  static String threadsAtWork(Map<Thread, StackTraceElement[]> stacks) {
    StringBuilder report = new StringBuilder();
    for (Map.Entry<Thread, StackTraceElement[]> e : stacks.entrySet()) {
      if (e.getKey() == Thread.currentThread()) {
        continue; // the one waiting here
      }
      StackTraceElement[] frames = e.getValue();
      boolean ours = false;
      for (StackTraceElement f : frames) {
        if (f.getClassName().startsWith("verity.")) {
          ours = true;
          break;
        }
      }
      if (!ours) {
        continue;
      }
      Thread t = e.getKey();
      report.append("  \"").append(t.getName()).append("\" ").append(t.getState()).append('\n');
      for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
        report.append("      at ").append(frames[i]).append('\n');
      }
    }
    return report.length() == 0 ? "  (none runs Verity code)\n" : report.toString();
  }
}
