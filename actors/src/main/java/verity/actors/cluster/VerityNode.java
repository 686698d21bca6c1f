package verity.actors.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Starts a Verity cluster node. Configuration is layered, first wins: explicit overrides (flags),
 * system properties, the deployment's {@code application.conf} (or a file given on the command
 * line), {@code verity-node.conf} (Verity's Akka settings), then every module's {@code
 * reference.conf}.
 */
public final class VerityNode {
  private VerityNode() {}

  /** The Akka settings Verity runs with, below the deployment's own configuration. */
  public static Config nodeDefaults() {
    return ConfigFactory.parseResources(VerityNode.class.getClassLoader(), "verity-node.conf");
  }

  /** Layers {@code overrides} over {@code application} over Verity's defaults and resolves. */
  public static Config load(Config overrides, Config application) {
    ConfigFactory.invalidateCaches();
    Config resolved =
        overrides
            .withFallback(ConfigFactory.defaultOverrides())
            .withFallback(application)
            .withFallback(nodeDefaults())
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    return JournalDatabase.withUrl(resolved);
  }

  /** Layers {@code overrides} over the classpath's {@code application.conf}. */
  public static Config load(Config overrides) {
    return load(overrides, ConfigFactory.defaultApplication());
  }

  public static <T> ActorSystem<T> start(String name, Behavior<T> guardian, Config config) {
    return ActorSystem.create(guardian, name, config);
  }

  /** Makes a node that is its own seed join itself: the single-node dev cluster. */
  public static void joinSelf(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }
}
