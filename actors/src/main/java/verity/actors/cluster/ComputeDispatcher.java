package verity.actors.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import java.util.concurrent.Executor;

/**
 * The dispatcher for blocking model work (DJL sampling and training). Keeping it off the default
 * dispatcher means cluster heartbeats and message handling never wait behind a gradient step.
 */
public final class ComputeDispatcher {
  private ComputeDispatcher() {}

  public static final String CONFIG_PATH = "verity.compute-dispatcher";

  public static final DispatcherSelector SELECTOR = DispatcherSelector.fromConfig(CONFIG_PATH);

  public static Executor executor(ActorSystem<?> system) {
    return system.dispatchers().lookup(SELECTOR);
  }
}
