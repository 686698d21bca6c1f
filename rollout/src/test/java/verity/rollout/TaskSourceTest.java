package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.cluster.ServiceKeys;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.LeasesSettled;
import verity.actors.testing.TestNodes;
import verity.envs.TaskGenerator;
import verity.envs.arith.ArithmeticSuite;

class TaskSourceTest {
  @TempDir Path dataDir;
  ActorTestKit testKit;

  /** A node of its own per test: the task source's journal is an H2 file under dataDir. */
  @BeforeEach
  void start() throws Exception {
    testKit = TestNodes.withJournal("task-source", dataDir);
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  static RolloutSettings settings(int window, Duration leaseTimeout) {
    return new RolloutSettings(1, 4, 3, window, leaseTimeout, 10);
  }

  /** The settlement port of a task source, found through the receptionist like the learner does. */
  ActorRef<LeaseProtocol.Command> settlementPort(int expectedInstances) {
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

  @Test
  void shouldHandOutOpenLeasesAgainAfterARestartAndContinueTheGenerator() {
    RolloutSettings settings = settings(8, Duration.ofMinutes(5));
    ActorRef<TaskSource.Command> source =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskSource.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskSource.RequestTasks(3, "w", worker.getRef()));
    List<TaskSource.Lease> before = worker.receiveMessage().leases();
    settlementPort(1)
        .tell(new LeasesSettled(List.of(before.get(0).id()), LeaseProtocol.Settlement.CONSUMED));
    settlementPort(1).tell(new LeaseProtocol.TasksReopened(List.of(new TaskId("9+9"))));
    source.tell(new TaskSource.RequestTasks(1, "w", worker.getRef()));
    assertEquals(
        new TaskId("9+9"), worker.receiveMessage().leases().get(0).task(), "reopened goes first");
    testKit.stop(source); // as good as a crash: nothing is flushed on stop

    ActorRef<TaskSource.Command> restarted =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    restarted.tell(new TaskSource.RequestTasks(8, "w", worker.getRef()));
    List<TaskSource.Lease> after = worker.receiveMessage().leases();
    assertEquals(8, after.size());
    assertEquals(
        List.of(before.get(1).task(), before.get(2).task(), new TaskId("9+9")),
        after.subList(0, 3).stream().map(TaskSource.Lease::task).toList(),
        "the three leases open at the stop are handed out again, the settled one is not");
    for (TaskSource.Lease l : after) {
      assertTrue(l.id().value() > 4, "lease ids never repeat: " + l.id());
    }
    TaskGenerator reference = ArithmeticSuite.singleDigit().generator(1);
    for (int i = 0; i < 3; i++) {
      reference.next(); // the three drawn before the stop
    }
    for (TaskSource.Lease l : after.subList(3, 8)) {
      assertEquals(reference.next().id(), l.task().value(), "the generator continues");
    }
  }
}
