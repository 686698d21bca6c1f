package verity.actors.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;

/** How a node names itself in reports: {@code verity.node-name}, or its host:port when unset. */
public final class NodeIdentity {
  private NodeIdentity() {}

  public static final String NAME_KEY = "verity.node-name";

  public static String name(ActorSystem<?> system) {
    String configured =
        system.settings().config().hasPath(NAME_KEY)
            ? system.settings().config().getString(NAME_KEY)
            : "";
    return configured.isBlank() ? hostPort(address(system)) : configured;
  }

  public static Address address(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address();
  }

  public static String hostPort(Address address) {
    return address.getHost().orElse("local")
        + ":"
        + address.getPort().map(String::valueOf).orElse("0");
  }
}
