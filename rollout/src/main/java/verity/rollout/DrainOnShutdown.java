package verity.rollout;

import akka.Done;
import akka.actor.Cancellable;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Registers an actor's drain in the first phase of its node's coordinated shutdown (a drain from
 * the console, SIGTERM, a leave): the phase asks the actor to drain and waits for its answer, at
 * most the phase's timeout ({@code akka.coordinated-shutdown.phases.before-service-unbind}). Not
 * when the whole actor system is being terminated (a finished run, a test) or the node was downed
 * (it can reach no one): nobody would take what it hands over.
 */
final class DrainOnShutdown {
  private static final Set<CoordinatedShutdown.Reason> NO_DRAIN =
      Set.of(
          CoordinatedShutdown.actorSystemTerminateReason(),
          CoordinatedShutdown.clusterDowningReason());

  private DrainOnShutdown() {}

  /**
   * @param drain the actor's drain request, answered with {@link Done} once drained
   * @return cancel it when the actor stops
   */
  static <T> Cancellable register(
      ActorContext<T> ctx, String name, Function<ActorRef<Done>, T> drain) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(ctx.getSystem().classicSystem());
    String phase = CoordinatedShutdown.PhaseBeforeServiceUnbind();
    Duration timeout = Duration.ofMillis(shutdown.timeout(phase).toMillis());
    ActorRef<T> self = ctx.getSelf();
    return shutdown.addCancellableTask(
        phase,
        "drain-" + name,
        () ->
            shutdown.getShutdownReason().filter(NO_DRAIN::contains).isPresent()
                ? CompletableFuture.completedFuture(Done.getInstance())
                : AskPattern.ask(self, drain::apply, timeout, ctx.getSystem().scheduler()));
  }
}
