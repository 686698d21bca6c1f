package verity.deploy.cli;

import akka.actor.Cancellable;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import verity.deploy.cluster.NodeProcesses;
import verity.deploy.run.RunMonitor;

/**
 * Ctrl-C (SIGINT, or SIGTERM) on {@code verity local}: the run stops as if it had ended, with a
 * summary. A JVM shutdown hook tells the run's monitor and then waits while the main thread stops
 * the cluster; this process's actor system is stopped by the main thread, not by Akka's own hook
 * (which {@code verity local} turns off). The hook is registered through Akka's {@link
 * CoordinatedShutdown}, whose JVM hooks Artery waits for before it closes its connections: this
 * process's node stays reachable while it asks the other nodes to leave.
 */
final class LocalInterrupt {
  /** Beyond the stop timeout, how long the hook waits for the main thread before it gives up. */
  private static final long GRACE_SECONDS = 90;

  private final AtomicBoolean interrupted = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private Cancellable hook = Cancellable.alreadyCancelled();

  private LocalInterrupt() {}

  /**
   * Installs the hook on {@code system}'s coordinated shutdown: on Ctrl-C it interrupts the run
   * through {@code monitor}.
   */
  static LocalInterrupt install(
      ActorSystem<?> system,
      CompletableFuture<ActorRef<RunMonitor.Command>> monitor,
      NodeProcesses processes,
      Duration stopTimeout,
      PrintWriter out) {
    LocalInterrupt interrupt = new LocalInterrupt();
    interrupt.hook =
        CoordinatedShutdown.get(system.classicSystem())
            .addCancellableJvmShutdownHook(
                () -> interrupt.onCtrlC(monitor, processes, stopTimeout, out));
    return interrupt;
  }

  private void onCtrlC(
      CompletableFuture<ActorRef<RunMonitor.Command>> monitor,
      NodeProcesses processes,
      Duration stopTimeout,
      PrintWriter out) {
    out.println("verity local: interrupted; stopping the run");
    interrupted.set(true);
    monitor.thenAccept(m -> m.tell(new RunMonitor.Interrupt()));
    try {
      if (!finished.await(stopTimeout.toSeconds() + GRACE_SECONDS, TimeUnit.SECONDS)) {
        processes.stopAll(Duration.ZERO, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether Ctrl-C stopped the run. */
  boolean happened() {
    return interrupted.get();
  }

  /** The main thread is done: a waiting hook lets the JVM exit, and a later exit runs none. */
  void release() {
    finished.countDown();
    // After Ctrl-C the hook is running (waiting for this thread, which is done): nothing to cancel.
    hook.cancel();
  }
}
