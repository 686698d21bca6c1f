package verity.deploy.cluster;

import akka.actor.Address;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.discovery.Discovery;
import akka.discovery.Lookup;
import akka.discovery.ServiceDiscovery;
import akka.discovery.ServiceDiscovery.Resolved;
import akka.discovery.ServiceDiscovery.ResolvedTarget;
import com.typesafe.config.Config;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import verity.actors.LocalOnly;
import verity.actors.config.ConfigChecks;

/**
 * Downs the members whose pods are gone. Akka Management forms the cluster from the pods the
 * discovery lists but never removes a member whose pod was deleted while the node could not leave
 * (a frozen JVM, a node that lost its network): the split brain resolver downs it only once it is
 * unreachable. This actor runs on every node of a bootstrapped cluster and acts only while its node
 * is the leader: every {@code verity.pod-watcher.interval} it lists the pods and downs a member
 * that none of them has carried for {@code missing-lookups} lookups in a row. It never downs its
 * own node, and a lookup that fails, lists nothing or does not list this node is ignored: an outage
 * of the Kubernetes API must not down the cluster.
 */
public final class PodMembershipWatcher extends AbstractBehavior<PodMembershipWatcher.Command> {
  public sealed interface Command extends LocalOnly {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Listed(Resolved resolved) implements Command {}

  private record LookupFailed(Throwable cause) implements Command {}

  /**
   * @param discoveryMethod the service discovery that lists the pods (the bootstrap's)
   * @param serviceName the service the pods belong to (the bootstrap's; label app=NAME)
   * @param portName the container port that carries Artery, or empty to match members by IP only
   */
  public record Settings(
      String discoveryMethod,
      String serviceName,
      String portName,
      Duration interval,
      int missingLookups,
      Duration lookupTimeout) {

    private static final String BOOTSTRAP =
        "akka.management.cluster.bootstrap.contact-point-discovery.";

    /** Reads {@code verity.pod-watcher} and the bootstrap's service name and discovery method. */
    public static Settings from(Config config, String systemName) {
      String method = config.getString(BOOTSTRAP + "discovery-method");
      if (method.equals("akka.discovery")) {
        // The bootstrap's default: whatever akka.discovery.method names.
        method = config.getString("akka.discovery.method");
      }
      String service = config.getString(BOOTSTRAP + "service-name");
      if (service.equals("<service-name>")) {
        service = systemName;
      }
      return new Settings(
          method,
          service,
          config.getString("verity.pod-watcher.port-name"),
          ConfigChecks.positiveDuration(config, "verity.pod-watcher.interval"),
          ConfigChecks.positiveInt(config, "verity.pod-watcher.missing-lookups"),
          ConfigChecks.positiveDuration(config, "verity.pod-watcher.lookup-timeout"));
    }
  }

  public static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
                  return new PodMembershipWatcher(ctx, settings);
                }));
  }

  private final Settings settings;
  private final Cluster cluster;
  private final ServiceDiscovery discovery;
  private final Lookup lookup;

  /** Members missing from the pod list, with the number of lookups in a row they were missing. */
  private final Map<Address, Integer> missing = new HashMap<>();

  private boolean lookingUp;

  private PodMembershipWatcher(ActorContext<Command> ctx, Settings settings) {
    super(ctx);
    ctx.setLoggerName(PodMembershipWatcher.class);
    this.settings = settings;
    this.cluster = Cluster.get(ctx.getSystem());
    this.discovery =
        Discovery.get(ctx.getSystem()).loadServiceDiscovery(settings.discoveryMethod());
    Lookup l = Lookup.create(settings.serviceName());
    this.lookup = settings.portName().isEmpty() ? l : l.withPortName(settings.portName());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Listed.class, this::onListed)
        .onMessage(LookupFailed.class, this::onLookupFailed)
        .build();
  }

  private Behavior<Command> onTick() {
    if (!isLeader()) {
      missing.clear();
      return this;
    }
    if (!lookingUp) {
      lookingUp = true;
      getContext()
          .pipeToSelf(
              discovery.lookup(lookup, settings.lookupTimeout()),
              (resolved, failure) ->
                  failure != null ? new LookupFailed(failure) : new Listed(resolved));
    }
    return this;
  }

  private Behavior<Command> onLookupFailed(LookupFailed failed) {
    lookingUp = false;
    getContext()
        .getLog()
        .warn("pod lookup of '{}' failed, nothing downed: {}", lookup, failed.cause().toString());
    return this;
  }

  private Behavior<Command> onListed(Listed listed) {
    lookingUp = false;
    List<ResolvedTarget> pods = listed.resolved().getAddresses();
    Address self = cluster.selfMember().address();
    if (pods.isEmpty() || !isLeader()) {
      return this;
    }
    if (!carried(self, pods, !settings.portName().isEmpty())) {
      getContext()
          .getLog()
          .warn(
              "pod lookup of '{}' does not list this node {} (pods {}); nothing downed",
              lookup,
              self,
              pods);
      return this;
    }
    Set<Address> present = new HashSet<>();
    for (Member m : cluster.state().getMembers()) {
      Address a = m.address();
      present.add(a);
      if (a.equals(self) || !isActive(m.status())) {
        continue;
      }
      if (carried(a, pods, !settings.portName().isEmpty())) {
        missing.remove(a);
        continue;
      }
      int times = missing.merge(a, 1, Integer::sum);
      if (times >= settings.missingLookups()) {
        getContext()
            .getLog()
            .warn(
                "downing {} (roles {}): no pod of '{}' has carried it for {} lookups",
                a,
                m.getRoles(),
                settings.serviceName(),
                times);
        cluster.manager().tell(new Down(a));
        missing.remove(a);
      }
    }
    missing.keySet().retainAll(present);
    return this;
  }

  private boolean isLeader() {
    return cluster.selfMember().address().equals(cluster.state().getLeader());
  }

  private static boolean isActive(MemberStatus status) {
    return status == MemberStatus.joining()
        || status == MemberStatus.weaklyUp()
        || status == MemberStatus.up();
  }

  /** Whether one of the pods is at the member's host (and Artery port, when the pods name it). */
  private static boolean carried(Address member, List<ResolvedTarget> pods, boolean byPort) {
    Optional<String> host = member.getHost();
    Optional<Integer> port = member.getPort();
    if (host.isEmpty()) {
      return true; // a local address: this node's own, never another pod's
    }
    for (ResolvedTarget pod : pods) {
      boolean sameHost =
          pod.host().equals(host.get())
              || pod.getAddress().map(InetAddress::getHostAddress).equals(host);
      boolean samePort = !byPort || pod.getPort().isEmpty() || pod.getPort().equals(port);
      if (sameHost && samePort) {
        return true;
      }
    }
    return false;
  }
}
