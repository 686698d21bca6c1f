package verity.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.VerityNode;

/**
 * A member that the launcher did not start is asked to leave, and leaves: its actor system ends;
 * the launcher's own members are not asked. Three actor systems in this JVM form the cluster.
 */
class HandJoinedMembersTest {
  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @AfterEach
  void stop() {
    systems.forEach(s -> ActorTestKit.shutdown(s, Duration.ofSeconds(20), false));
  }

  ActorSystem<Void> node() {
    ActorSystem<Void> system =
        VerityNode.start(
            ClusterNode.SYSTEM,
            Behaviors.empty(),
            VerityNode.load(
                ConfigFactory.parseString(
                    "akka.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "akka.remote.artery.canonical.port = 0\n"
                        + "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off")));
    systems.add(system);
    return system;
  }

  static long up(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

  static int port(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address().getPort().orElseThrow();
  }

  @Test
  void shouldAskOnlyTheMembersItDidNotStartToLeave() throws Exception {
    ActorSystem<Void> launcher = node();
    ActorSystem<Void> child = node();
    ActorSystem<Void> joinedByHand = node();
    Address seed = Cluster.get(launcher).selfMember().address();
    for (ActorSystem<Void> s : systems) {
      Cluster.get(s).manager().tell(Join.create(seed));
    }
    TestProbe<Void> probe = TestProbe.create(launcher);
    probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          assertEquals(3, up(launcher));
          return null;
        });

    Set<Address> asked =
        HandJoinedMembers.askToLeave(launcher, Set.of(port(launcher), port(child)));

    assertEquals(Set.of(Cluster.get(joinedByHand).selfMember().address()), asked);
    HandJoinedMembers.removed(launcher, asked).toCompletableFuture().get(30, TimeUnit.SECONDS);
    joinedByHand.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(2, up(launcher), "the launcher and its child stay");
  }
}
