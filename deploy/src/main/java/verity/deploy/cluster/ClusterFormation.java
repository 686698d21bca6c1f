package verity.deploy.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import com.typesafe.config.Config;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Forms or joins a cluster through Akka Cluster Bootstrap instead of seed nodes: starts Akka
 * Management's HTTP endpoint (the bootstrap's contact point and the {@code /ready} and {@code
 * /alive} health checks), the bootstrap, and the {@link PodMembershipWatcher} that downs members
 * whose pods are gone.
 */
public final class ClusterFormation {
  private static final String DISCOVERY =
      "akka.management.cluster.bootstrap.contact-point-discovery.";

  private ClusterFormation() {}

  /**
   * @throws IllegalStateException when the management endpoint cannot bind its port
   */
  public static void bootstrap(ActorSystem<?> system) {
    Config config = system.settings().config();
    try {
      AkkaManagement.get(system).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "Akka Management cannot start on "
              + config.getString("akka.management.http.hostname")
              + ":"
              + config.getInt("akka.management.http.port")
              + ": "
              + cause.getMessage(),
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting Akka Management", e);
    }
    ClusterBootstrap.get(system).start();
    system.systemActorOf(
        PodMembershipWatcher.create(PodMembershipWatcher.Settings.from(config, system.name())),
        "pod-membership-watcher",
        Props.empty());
  }

  /** The discovery and service a bootstrapped node looks for, for messages. */
  public static String describe(Config config) {
    PodMembershipWatcher.Settings s =
        PodMembershipWatcher.Settings.from(config, ClusterNode.SYSTEM);
    return s.discoveryMethod()
        + " service '"
        + s.serviceName()
        + "', at least "
        + config.getInt(DISCOVERY + "required-contact-point-nr")
        + " nodes";
  }
}
