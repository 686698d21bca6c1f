package verity.deploy.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Prints the cluster's membership changes as {@code verity local} sees them: a node up,
 * unreachable, reachable again, removed (downed or left), by node name, so that a user (and a fault
 * test) sees a failure being detected and repaired.
 */
public final class MembershipPrinter {
  private MembershipPrinter() {}

  /**
   * @param nameOfPort the node name of a port, or null for a node this process did not start
   */
  public static Behavior<ClusterEvent.ClusterDomainEvent> create(
      Consumer<String> out, IntFunction<String> nameOfPort) {
    return Behaviors.setup(
        ctx -> {
          Cluster.get(ctx.getSystem())
              .subscriptions()
              .tell(Subscribe.create(ctx.getSelf(), ClusterEvent.ClusterDomainEvent.class));
          return Behaviors.receiveMessage(
              event -> {
                String line = describe(event, nameOfPort);
                if (line != null) {
                  out.accept("cluster: " + line);
                }
                return Behaviors.same();
              });
        });
  }

  private static String describe(ClusterEvent.ClusterDomainEvent event, IntFunction<String> names) {
    if (event instanceof ClusterEvent.MemberUp up) {
      return name(up.member(), names) + " up";
    } else if (event instanceof ClusterEvent.UnreachableMember u) {
      return name(u.member(), names) + " unreachable";
    } else if (event instanceof ClusterEvent.ReachableMember r) {
      return name(r.member(), names) + " reachable again";
    } else if (event instanceof ClusterEvent.MemberRemoved r) {
      String how = r.previousStatus() == MemberStatus.down() ? "downed" : "left";
      return name(r.member(), names) + " removed (" + how + ")";
    }
    return null;
  }

  private static String name(Member m, IntFunction<String> names) {
    int port = m.address().getPort().orElse(-1);
    String name = names.apply(port);
    return (name == null ? "node" : name) + " (" + m.address().hostPort() + ")";
  }

  /** Looks a port up in {@code ports} (node name by port). */
  public static IntFunction<String> byPort(Map<Integer, String> ports) {
    return ports::get;
  }
}
