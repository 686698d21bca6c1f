package verity.deploy.cluster;

import akka.actor.Address;
import akka.actor.Cancellable;
import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Leave;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The members of {@code verity local}'s cluster that it did not start: nodes joined by hand ({@code
 * verity node --seed-nodes} its seed). They get no signal from it, so when the run ends, however it
 * ends, they are asked to leave like its own nodes and exit with code 0 instead of staying on
 * alone.
 */
public final class HandJoinedMembers {
  /** How often the membership is looked at while they leave. */
  private static final Duration POLL = Duration.ofMillis(200);

  private HandJoinedMembers() {}

  /**
   * Asks every member of the cluster whose port is not one of {@code ownPorts} (this process's and
   * its child nodes') to leave.
   *
   * @return the members asked
   */
  public static Set<Address> askToLeave(ActorSystem<?> system, Set<Integer> ownPorts) {
    Cluster cluster = Cluster.get(system);
    Set<Address> asked = new HashSet<>();
    for (Member m : cluster.state().getMembers()) {
      if (!ownPorts.contains(m.address().getPort().orElse(-1))) {
        cluster.manager().tell(Leave.create(m.address()));
        asked.add(m.address());
      }
    }
    return Set.copyOf(asked);
  }

  /** Completes once none of {@code members} is a member any longer, as {@code system} sees it. */
  public static CompletionStage<Void> removed(ActorSystem<?> system, Set<Address> members) {
    CompletableFuture<Void> gone = new CompletableFuture<>();
    if (stillMembers(system, members).isEmpty()) {
      gone.complete(null);
      return gone;
    }
    Cancellable poll =
        system
            .scheduler()
            .scheduleAtFixedRate(
                POLL,
                POLL,
                () -> {
                  if (stillMembers(system, members).isEmpty()) {
                    gone.complete(null);
                  }
                },
                system.executionContext());
    gone.whenComplete((done, failure) -> poll.cancel());
    return gone;
  }

  /** Those of {@code members} that are members still. */
  public static Set<Address> stillMembers(ActorSystem<?> system, Set<Address> members) {
    Set<Address> still = new HashSet<>();
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (members.contains(m.address())) {
        still.add(m.address());
      }
    }
    return still;
  }
}
