package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.config.DelayDistribution;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.rollout.TaskRequests.Lease;
import verity.rollout.TaskRequests.Leases;
import verity.rollout.TaskRequests.RequestTasks;
import verity.rollout.lease.LeaseBook;
import verity.rollout.lease.LeaseEvent;
import verity.rollout.lease.LeaseEvent.LeasesIssued;
import verity.rollout.lease.LeaseEvent.LeasesSettled;
import verity.rollout.lease.LeaseEvent.PauseChanged;

/** The task source's waiting requests: who is served with each journal write, and on what. */
class WaitingRequestsTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final long MS = 1_000_000;

  /** Only for the probes the leases are sent to. */
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("waiting-requests");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A window of {@code window} leases, groups of 4. */
  static WaitingRequests waiting(int window) {
    return new WaitingRequests(
        new RolloutSettings(1, 4, 2, window, Duration.ofMinutes(1), 10, DelayDistribution.NONE),
        counting());
  }

  /** Draws t1, t2, ... */
  static TaskGenerator counting() {
    int[] n = {0};
    return () -> {
      String id = "t" + ++n[0];
      return new Task() {
        @Override
        public String id() {
          return id;
        }

        @Override
        public String prompt() {
          return "";
        }
      };
    };
  }

  /** A book with leases 1 and 2 open (tasks a, b), handed to worker "old". */
  static LeaseBook twoOpen() {
    return new LeaseBook()
        .apply(
            new LeasesIssued(new LeaseId(1), List.of(new TaskId("a"), new TaskId("b")), 0, "old"));
  }

  @Test
  void shouldJournalTheCommandsEventThenTheLeasesItMakesRoomForAndReplyInThatOrder() {
    WaitingRequests waiting = waiting(2);
    LeaseBook book = twoOpen();
    TestProbe<Leases> worker = testKit.createTestProbe();
    waiting.add(new RequestTasks(2, "w", worker.getRef()), 0);
    assertEquals("window-full", waiting.state(book));

    LeaseEvent settled = new LeasesSettled(List.of(new LeaseId(1)), Settlement.CONSUMED);
    AtomicBoolean confirmed = new AtomicBoolean();
    WaitingRequests.Write write =
        waiting.serve(book, List.of(settled), () -> confirmed.set(true), 5 * MS);

    assertEquals(
        List.of(settled, new LeasesIssued(new LeaseId(3), List.of(new TaskId("t1")), 0, "w")),
        write.events(),
        "the settlement makes room for one lease of the two asked for");
    assertEquals(2, write.replies().size());
    write.replies().get(0).run();
    assertTrue(confirmed.get(), "the command's own reply goes first");
    worker.expectNoMessage(Duration.ofMillis(50));
    write.replies().get(1).run();
    assertEquals(
        new Leases(List.of(new Lease(new LeaseId(3), new TaskId("t1"), 4))),
        worker.receiveMessage(WAIT));
    assertEquals(0, waiting.size(), "served with less than it asked for");
    assertEquals(5.0, waiting.waited().quantiles(0.5)[0], "it waited 5 ms");
  }

  @Test
  void shouldLeaveRequestsWaitingWhileTheWindowHasNoRoomOrRolloutsArePaused() {
    WaitingRequests waiting = waiting(2);
    TestProbe<Leases> worker = testKit.createTestProbe();
    waiting.add(new RequestTasks(1, "w", worker.getRef()), 0);
    WaitingRequests.Write full = waiting.serve(twoOpen(), List.of(), null, 0);
    assertEquals(List.of(), full.events());
    assertEquals(List.of(), full.replies());

    LeaseBook paused = new LeaseBook().apply(new PauseChanged(true, "op"));
    assertEquals(List.of(), waiting.serve(paused, List.of(), null, 0).events());
    assertEquals("paused", waiting.state(paused));
    assertEquals(1, waiting.size());
  }

  @Test
  void shouldGoOnDrawingWhereTheJournalSaysTheGeneratorStopped() {
    WaitingRequests waiting = waiting(8);
    waiting.skipDrawn(3);
    waiting.add(new RequestTasks(2, "w", testKit.<Leases>createTestProbe().getRef()), 0);
    LeaseBook book = new LeaseBook();
    assertEquals(
        List.of(
            new LeasesIssued(new LeaseId(1), List.of(new TaskId("t4"), new TaskId("t5")), 0, "w")),
        waiting.serve(book, List.of(), null, 0).events());
  }

  @Test
  void shouldAnswerAtOnceARequestForNoneAndARequestAheadThatMayNotWait() {
    WaitingRequests waiting = waiting(4);
    LeaseBook book = twoOpen();
    assertTrue(waiting.refusesAtOnce(new RequestTasks(0, "w", null), book, false), "asks for none");
    assertFalse(waiting.refusesAtOnce(new RequestTasks(2, "w", null, true), book, false), "room");
    assertTrue(
        waiting.refusesAtOnce(new RequestTasks(3, "w", null, true), book, false), "room for 2");
    assertFalse(
        waiting.refusesAtOnce(new RequestTasks(3, "w", null), book, false), "a request now waits");
    assertTrue(
        waiting.refusesAtOnce(new RequestTasks(1, "w", null, true), book, true), "recovering");
    waiting.add(new RequestTasks(3, "v", null), 0);
    assertTrue(
        waiting.refusesAtOnce(new RequestTasks(1, "w", null, true), book, false), "one waits");
  }

  @Test
  void shouldSayTheTaskSourcesStateInAWord() {
    WaitingRequests waiting = waiting(4);
    assertEquals("idle", waiting.state(new LeaseBook()));
    assertEquals("leasing", waiting.state(twoOpen()));
    waiting.add(new RequestTasks(3, "v", null), 0);
    assertEquals("leasing", waiting.state(twoOpen()), "a request waits but the window has room");
  }
}
