package verity.deploy.soak;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Injects a soak run's faults on its {@link ChaosSchedule}: kills a node with SIGKILL, freezes one
 * with SIGSTOP (and resumes it with SIGCONT after the drawn time), or drains one, and starts a
 * replacement with the same roles each time. It runs on a thread of its own until {@link #stop()};
 * the cluster is reached through a {@link Cluster}, so it knows nothing of how nodes are started.
 */
public final class ChaosMonkey implements Runnable {

  /** A node of the cluster under test. */
  public record Node(String name, List<String> roles, long pid) {}

  /** What the monkey needs of the cluster. */
  public interface Cluster {
    /** The nodes alive now that a fault may hit (this process's own node excluded). */
    List<Node> alive();

    /** The node hosting the run coordinator now, if known. */
    Optional<Node> coordinatorHost();

    /** Starts a new node with these roles; returns its name. */
    String startReplacement(List<String> roles) throws IOException;

    /** Asks the node to leave the cluster gracefully. */
    void drain(Node node);
  }

  private final ChaosSchedule schedule;
  private final Cluster cluster;
  private final ScheduledExecutorService resumer;
  private final PrintWriter out;
  private final Map<ChaosSchedule.Kind, Integer> injected = new EnumMap<>(ChaosSchedule.Kind.class);
  private volatile int atCoordinator;
  private volatile boolean stopped;
  private Thread thread;

  public ChaosMonkey(
      ChaosSchedule schedule, Cluster cluster, ScheduledExecutorService resumer, PrintWriter out) {
    this.schedule = schedule;
    this.cluster = cluster;
    this.resumer = resumer;
    this.out = out;
  }

  /** Starts injecting on a thread of its own. */
  public void start() {
    thread = new Thread(this, "verity-chaos");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops injecting; a node frozen now is still resumed when its time is up. */
  public void stop() throws InterruptedException {
    stopped = true;
    if (thread != null) {
      thread.interrupt();
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  /** Faults injected so far, by kind. */
  public synchronized Map<ChaosSchedule.Kind, Integer> injected() {
    return Map.copyOf(injected);
  }

  /** Faults aimed at the run coordinator's host so far. */
  public int atCoordinator() {
    return atCoordinator;
  }

  @Override
  public void run() {
    while (!stopped) {
      ChaosSchedule.Fault f = schedule.next();
      try {
        Thread.sleep(f.after().toMillis());
      } catch (InterruptedException e) {
        return;
      }
      if (stopped) {
        return;
      }
      try {
        inject(f);
      } catch (IOException | RuntimeException e) {
        out.println("chaos: could not inject " + f.kind() + ": " + e);
      }
    }
  }

  private void inject(ChaosSchedule.Fault f) throws IOException {
    List<Node> alive = cluster.alive();
    if (alive.isEmpty()) {
      return;
    }
    Optional<Node> coordinator = f.coordinator() ? cluster.coordinatorHost() : Optional.empty();
    Node target = coordinator.orElse(alive.get((int) (f.pick() * alive.size())));
    switch (f.kind()) {
      case KILL -> signal("KILL", target);
      case STOP -> {
        signal("STOP", target);
        resumer.schedule(
            () -> signal("CONT", target), f.freeze().toMillis(), TimeUnit.MILLISECONDS);
      }
      case DRAIN -> cluster.drain(target);
    }
    synchronized (this) {
      injected.merge(f.kind(), 1, Integer::sum);
    }
    if (coordinator.isPresent()) {
      atCoordinator++;
    }
    String replacement = cluster.startReplacement(target.roles());
    out.printf(
        Locale.ROOT,
        "chaos: %s %s%s (pid %d)%s; replacement %s started%n",
        f.kind().name().toLowerCase(Locale.ROOT),
        target.name(),
        coordinator.isPresent() ? ", the coordinator's host" : "",
        target.pid(),
        f.kind() == ChaosSchedule.Kind.STOP ? " for " + f.freeze().toSeconds() + " s" : "",
        replacement);
  }

  private void signal(String signal, Node node) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(node.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        out.println("chaos: kill -" + signal + " " + node.pid() + " did not succeed");
      }
    } catch (IOException e) {
      out.println("chaos: cannot send SIG" + signal + " to " + node.name() + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
