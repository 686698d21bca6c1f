package verity.deploy.soak;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The seeded schedule of a soak run's faults: after each wait (drawn between the bounds), one fault
 * at a node drawn uniformly among those alive; its kind comes from shuffled rounds of all kinds, so
 * every three faults hold a kill, a freeze and a drain; every {@code coordinatorEvery}-th fault is
 * aimed at the run coordinator's host instead, so that a short run moves the coordinator too. A
 * frozen node stays frozen for a drawn time past the failure detector. The same seed gives the same
 * schedule.
 */
public final class ChaosSchedule {

  /** What a fault does to its node; each is followed by starting a replacement of it. */
  public enum Kind {
    /** SIGKILL: the node dies with whatever it held. */
    KILL,
    /** SIGSTOP for {@link Fault#freeze()}, then SIGCONT: the cluster downs it meanwhile. */
    STOP,
    /** A graceful leave, as the console's Drain button asks. */
    DRAIN
  }

  /**
   * One fault: after {@code after}, of this kind; {@code pick} in [0, 1) chooses the node among
   * those alive, unless {@code coordinator} aims it at the coordinator's host.
   */
  public record Fault(
      Duration after, Kind kind, double pick, boolean coordinator, Duration freeze) {}

  private final SplittableRandom random;
  private final Duration minWait;
  private final Duration maxWait;
  private final int coordinatorEvery;
  private final java.util.ArrayDeque<Kind> round = new java.util.ArrayDeque<>();
  private int drawn;

  public ChaosSchedule(long seed, Duration minWait, Duration maxWait, int coordinatorEvery) {
    if (minWait.isNegative() || maxWait.compareTo(minWait) < 0) {
      throw new IllegalArgumentException("fault waits " + minWait + ".." + maxWait);
    }
    this.random = new SplittableRandom(seed);
    this.minWait = minWait;
    this.maxWait = maxWait;
    this.coordinatorEvery = coordinatorEvery;
  }

  /** The next fault. */
  public Fault next() {
    drawn++;
    long span = maxWait.toMillis() - minWait.toMillis();
    Duration after = minWait.plusMillis(span == 0 ? 0 : random.nextLong(span + 1));
    if (round.isEmpty()) {
      java.util.List<Kind> kinds = new java.util.ArrayList<>(java.util.List.of(Kind.values()));
      for (int i = kinds.size() - 1; i > 0; i--) {
        java.util.Collections.swap(kinds, i, random.nextInt(i + 1));
      }
      round.addAll(kinds);
    }
    Kind kind = round.poll();
    double pick = random.nextDouble();
    Duration freeze = Duration.ofSeconds(20 + random.nextInt(11));
    boolean coordinator = coordinatorEvery > 0 && drawn % coordinatorEvery == 0;
    return new Fault(after, kind, pick, coordinator, freeze);
  }
}
