package verity.actors.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import java.util.concurrent.Executor;

/**
 * The one-thread dispatcher of all gradient work in a JVM: the learner's steps and its shards'. DJL
 * allows one open gradient collector per process, so learner replicas that share a JVM take turns
 * on this thread. Beside {@link ComputeDispatcher}, which sampling uses.
 */
public final class TrainingDispatcher {
  private TrainingDispatcher() {}

  public static final String CONFIG_PATH = "verity.training-dispatcher";

  public static final DispatcherSelector SELECTOR = DispatcherSelector.fromConfig(CONFIG_PATH);

  public static Executor executor(ActorSystem<?> system) {
    return system.dispatchers().lookup(SELECTOR);
  }
}
