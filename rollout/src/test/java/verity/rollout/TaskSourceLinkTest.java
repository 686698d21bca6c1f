package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.rollout.TaskRequests.Lease;
import verity.rollout.TaskRequests.Leases;
import verity.rollout.TaskRequests.RequestTasks;
import verity.rollout.TaskRequests.ReturnLeases;

/** A worker's end of the task requests: what it sends the task source it knows of. */
class TaskSourceLinkTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration NONE = Duration.ofMillis(100);

  /** Only for the probes standing in for the task source and the worker. */
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("task-source-link");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldAskTheTaskSourceForABatchNowOrAheadAsTheCycleSays() {
    TestProbe<TaskSource.Command> source = testKit.createTestProbe();
    TestProbe<Leases> worker = testKit.createTestProbe();
    TaskSourceLink link = new TaskSourceLink("w", 3, worker.getRef());
    assertFalse(link.known());
    link.listed(Set.of(source.getRef()));
    assertTrue(link.known());

    link.request(WorkerCycle.Request.NOW);
    assertEquals(new RequestTasks(3, "w", worker.getRef(), false), source.receiveMessage(WAIT));
    link.request(WorkerCycle.Request.AHEAD);
    assertEquals(new RequestTasks(3, "w", worker.getRef(), true), source.receiveMessage(WAIT));
    link.request(WorkerCycle.Request.NONE);
    source.expectNoMessage(NONE);
  }

  @Test
  void shouldHandLeasesBackToTheTaskSourceItKnowsOf() {
    TestProbe<TaskSource.Command> source = testKit.createTestProbe();
    TaskSourceLink link = new TaskSourceLink("w", 3, testKit.<Leases>createTestProbe().getRef());
    List<Lease> leases =
        List.of(
            new Lease(new LeaseId(4), new TaskId("a"), 2),
            new Lease(new LeaseId(5), new TaskId("b"), 2));
    link.giveBack(leases); // none known yet: nothing to hand them to
    link.listed(Set.of(source.getRef()));
    link.giveBack(List.of());
    source.expectNoMessage(NONE);
    link.giveBack(leases);
    assertEquals(
        new ReturnLeases(List.of(new LeaseId(4), new LeaseId(5)), "w"),
        source.receiveMessage(WAIT));
  }

  @Test
  void shouldForgetTheTaskSourceWhenTheReceptionistListsNone() {
    TestProbe<TaskSource.Command> source = testKit.createTestProbe();
    TaskSourceLink link = new TaskSourceLink("w", 3, testKit.<Leases>createTestProbe().getRef());
    link.listed(Set.of(source.getRef()));
    link.listed(Set.of());
    assertFalse(link.known());
    assertThrows(NoSuchElementException.class, () -> link.request(WorkerCycle.Request.NOW));
  }
}
