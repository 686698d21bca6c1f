package verity.actors.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.function.IntFunction;
import verity.actors.config.RestartBackoff;

/**
 * Supervision of a worker actor (a rollout worker, an evaluator, a verifier): a failure restarts
 * the actor after a back-off that doubles with each failure in a row, and each incarnation is told
 * how often the actor restarted before it (the count lives outside the supervised behaviour, so it
 * survives the restarts), for its status reports and to tell an earlier incarnation's late results
 * apart.
 */
public final class Restarting {
  /** Spreads the restarts of actors that failed together (a device or a service gone). */
  private static final double RANDOM_FACTOR = 0.2;

  private Restarting() {}

  /**
   * @param incarnation the behaviour of one incarnation, given the restarts before it (0 first)
   */
  public static <T> Behavior<T> withBackoff(
      Duration minBackoff, Duration maxBackoff, IntFunction<Behavior<T>> incarnation) {
    return Behaviors.<T>setup(
        outer -> {
          int[] started = {0};
          return Behaviors.supervise(Behaviors.<T>setup(ctx -> incarnation.apply(started[0]++)))
              .onFailure(
                  SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, RANDOM_FACTOR));
        });
  }

  /** One incarnation of an actor with timers, given the restarts before it. */
  @FunctionalInterface
  public interface TimedIncarnation<T> {
    Behavior<T> create(ActorContext<T> ctx, TimerScheduler<T> timers, int restarts);
  }

  /** {@link #withBackoff(Duration, Duration, IntFunction)} for an actor with timers. */
  public static <T> Behavior<T> withBackoff(
      RestartBackoff backoff, TimedIncarnation<T> incarnation) {
    return withBackoff(
        backoff.min(),
        backoff.max(),
        restarts ->
            Behaviors.setup(
                ctx -> Behaviors.withTimers(timers -> incarnation.create(ctx, timers, restarts))));
  }
}
