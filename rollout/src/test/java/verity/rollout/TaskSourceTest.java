package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.VerityNode;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.LeasesSettled;
import verity.envs.arith.ArithmeticSuite;

class TaskSourceTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "task-source",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static RolloutSettings settings(int window, Duration leaseTimeout) {
    return new RolloutSettings(1, 4, 3, window, leaseTimeout, 10);
  }

  /** The settlement port of a task source, found through the receptionist like the learner does. */
  static ActorRef<LeaseProtocol.Command> settlementPort(int expectedInstances) {
    TestProbe<Receptionist.Listing> probe = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.LEASE_SETTLEMENT, probe.getRef()));
    Set<ActorRef<LeaseProtocol.Command>> refs = Set.of();
    while (refs.size() < expectedInstances) {
      refs =
          probe
              .receiveMessage(Duration.ofSeconds(10))
              .getServiceInstances(ServiceKeys.LEASE_SETTLEMENT);
    }
    return refs.iterator().next();
  }

  @Test
  void shouldLeaseOnDemandAndHoldRequestsBeyondTheWindowUntilSettled() {
    ActorRef<TaskSource.Command> source =
        testKit.spawn(
            TaskSource.create(
                settings(4, Duration.ofMinutes(5)), ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskSource.Leases> worker = testKit.createTestProbe();

    source.tell(new TaskSource.RequestTasks(3, "w", worker.getRef()));
    List<TaskSource.Lease> first = worker.receiveMessage().leases();
    assertEquals(3, first.size());
    assertEquals(4, first.get(0).groupSize());

    source.tell(new TaskSource.RequestTasks(3, "w", worker.getRef()));
    assertEquals(1, worker.receiveMessage().leases().size(), "only one slot left in the window");

    source.tell(new TaskSource.RequestTasks(3, "w", worker.getRef()));
    worker.expectNoMessage(Duration.ofMillis(300)); // the window is full: the request waits

    settlementPort(1)
        .tell(
            new LeasesSettled(
                List.of(first.get(0).id(), first.get(1).id()), LeaseProtocol.Settlement.CONSUMED));
    assertEquals(2, worker.receiveMessage().leases().size());
    testKit.stop(source);
  }

  @Test
  void shouldLeaseAnExpiredTaskAgain() {
    ActorRef<TaskSource.Command> source =
        testKit.spawn(
            TaskSource.create(
                settings(1, Duration.ofMillis(200)), ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskSource.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskSource.RequestTasks(1, "dead-worker", worker.getRef()));
    TaskSource.Lease lost = worker.receiveMessage().leases().get(0);

    source.tell(new TaskSource.RequestTasks(1, "live-worker", worker.getRef()));
    TaskSource.Lease again = worker.receiveMessage(Duration.ofSeconds(5)).leases().get(0);
    assertEquals(lost.task(), again.task(), "the same task is handed out again");
    assertNotEquals(lost.id(), again.id(), "under a new lease");
    testKit.stop(source);
  }
}
