package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.cluster.ServiceKeys;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.SettleLeases;
import verity.actors.protocol.PauseProtocol;
import verity.actors.testing.TestNodes;
import verity.envs.TaskGenerator;
import verity.envs.arith.ArithmeticSuite;
import verity.rollout.lease.LeaseEvent;

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
    return port(ServiceKeys.LEASE_SETTLEMENT, expectedInstances);
  }

  /** A task source's port for {@code key}, found through the receptionist. */
  <T> ActorRef<T> port(ServiceKey<T> key, int expectedInstances) {
    TestProbe<Receptionist.Listing> probe = testKit.createTestProbe();
    testKit.system().receptionist().tell(Receptionist.subscribe(key, probe.getRef()));
    Set<ActorRef<T>> refs = Set.of();
    while (refs.size() < expectedInstances) {
      refs = probe.receiveMessage(Duration.ofSeconds(10)).getServiceInstances(key);
    }
    return refs.iterator().next();
  }

  /** The pause port of a task source other than {@code old} (a restarted one). */
  ActorRef<PauseProtocol.Command> pausePortOtherThan(ActorRef<PauseProtocol.Command> old) {
    TestProbe<Receptionist.Listing> probe = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.RUN_PAUSE, probe.getRef()));
    while (true) {
      Set<ActorRef<PauseProtocol.Command>> refs =
          probe.receiveMessage(Duration.ofSeconds(10)).getServiceInstances(ServiceKeys.RUN_PAUSE);
      if (!refs.isEmpty() && !refs.contains(old)) {
        return refs.iterator().next();
      }
    }
  }

  /**
   * The settlement port of a restarted task source: the receptionist forgets the stopped one's
   * registration asynchronously, so a listing may still name it for a while.
   */
  ActorRef<LeaseProtocol.Command> settlementPortOtherThan(ActorRef<LeaseProtocol.Command> old) {
    TestProbe<Receptionist.Listing> probe = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.LEASE_SETTLEMENT, probe.getRef()));
    while (true) {
      Set<ActorRef<LeaseProtocol.Command>> refs =
          probe
              .receiveMessage(Duration.ofSeconds(10))
              .getServiceInstances(ServiceKeys.LEASE_SETTLEMENT);
      if (!refs.isEmpty() && !refs.contains(old)) {
        return refs.iterator().next();
      }
    }
  }

  @Test
  void shouldLeaseOnDemandAndHoldRequestsBeyondTheWindowUntilSettled() {
    ActorRef<TaskSource.Command> source =
        testKit.spawn(
            TaskSource.create(
                settings(4, Duration.ofMinutes(5)), ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();

    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef()));
    List<TaskRequests.Lease> first = worker.receiveMessage().leases();
    assertEquals(3, first.size());
    assertEquals(4, first.get(0).groupSize());

    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef()));
    assertEquals(1, worker.receiveMessage().leases().size(), "only one slot left in the window");

    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef()));
    worker.expectNoMessage(Duration.ofMillis(300)); // the window is full: the request waits

    settlementPort(1)
        .tell(
            new SettleLeases(
                List.of(first.get(0).id(), first.get(1).id()),
                LeaseProtocol.Settlement.CONSUMED,
                testKit.system().ignoreRef()));
    assertEquals(2, worker.receiveMessage().leases().size());
    testKit.stop(source);
  }

  @Test
  void shouldLeaseAheadOnlyWhenTheWindowHasRoomForTheWholeRequest() {
    ActorRef<TaskSource.Command> source =
        testKit.spawn(
            TaskSource.create(
                settings(4, Duration.ofMinutes(5)), ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef()));
    List<TaskRequests.Lease> first = worker.receiveMessage().leases();
    assertEquals(3, first.size());

    // One slot left: a request ahead for 3 is answered at once, with nothing, and does not wait.
    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef(), true));
    assertTrue(worker.receiveMessage().leases().isEmpty());
    source.tell(new TaskRequests.RequestTasks(1, "other", worker.getRef()));
    assertEquals(1, worker.receiveMessage().leases().size(), "the refused request took nothing");

    settlementPort(1)
        .tell(
            new SettleLeases(
                List.of(first.get(0).id(), first.get(1).id(), first.get(2).id()),
                LeaseProtocol.Settlement.CONSUMED,
                testKit.system().ignoreRef()));
    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef(), true));
    List<TaskRequests.Lease> ahead = worker.receiveMessage().leases();
    assertEquals(3, ahead.size(), "room for all 3: leased ahead");
    assertTrue(ahead.get(0).id().value() > first.get(2).id().value());
    testKit.stop(source);
  }

  @Test
  void pausedRolloutsHandOutNoLeaseUntilResumedAndThePauseOutlivesARestart() {
    RolloutSettings settings = settings(8, Duration.ofMinutes(5));
    ActorRef<TaskSource.Command> source =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();
    TestProbe<PauseProtocol.PauseState> operator = testKit.createTestProbe();

    ActorRef<PauseProtocol.Command> pause = port(ServiceKeys.RUN_PAUSE, 1);
    pause.tell(new PauseProtocol.SetPaused(true, "test", operator.getRef()));
    assertTrue(operator.receiveMessage().paused());
    source.tell(new TaskRequests.RequestTasks(2, "w", worker.getRef()));
    worker.expectNoMessage(Duration.ofMillis(500)); // paused: the request waits

    // A new incarnation recovers the pause from the journal and keeps the request waiting.
    testKit.stop(source);
    source = testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    pause = pausePortOtherThan(pause);
    pause.tell(new PauseProtocol.GetPauseState(operator.getRef()));
    assertTrue(operator.receiveMessage().paused(), "the pause is journaled");
    source.tell(new TaskRequests.RequestTasks(2, "w", worker.getRef()));
    worker.expectNoMessage(Duration.ofMillis(500));

    pause.tell(new PauseProtocol.SetPaused(false, "test", operator.getRef()));
    assertFalse(operator.receiveMessage().paused());
    assertEquals(2, worker.receiveMessage().leases().size(), "the waiting request is served");
    testKit.stop(source);
  }

  @Test
  void shouldLeaseAnExpiredTaskAgain() {
    ActorRef<TaskSource.Command> source =
        testKit.spawn(
            TaskSource.create(
                settings(1, Duration.ofMillis(200)), ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(1, "dead-worker", worker.getRef()));
    TaskRequests.Lease lost = worker.receiveMessage().leases().get(0);

    source.tell(new TaskRequests.RequestTasks(1, "live-worker", worker.getRef()));
    TaskRequests.Lease again = worker.receiveMessage(Duration.ofSeconds(5)).leases().get(0);
    assertEquals(lost.task(), again.task(), "the same task is handed out again");
    assertNotEquals(lost.id(), again.id(), "under a new lease");
    testKit.stop(source);
  }

  @Test
  void shouldHandOutOpenLeasesAgainAfterARestartAndContinueTheGenerator() {
    RolloutSettings settings = settings(8, Duration.ofMinutes(5));
    ActorRef<TaskSource.Command> source =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef()));
    List<TaskRequests.Lease> before = worker.receiveMessage().leases();
    settlementPort(1)
        .tell(
            new SettleLeases(
                List.of(before.get(0).id()),
                LeaseProtocol.Settlement.CONSUMED,
                testKit.system().ignoreRef()));
    TestProbe<LeaseProtocol.ReopenConfirmed> confirmations = testKit.createTestProbe();
    settlementPort(1)
        .tell(
            new LeaseProtocol.ReopenLeases(
                List.of(before.get(0).id()), List.of(new TaskId("9+9")), confirmations.getRef()));
    source.tell(new TaskRequests.RequestTasks(1, "w", worker.getRef()));
    assertEquals(
        new TaskId("9+9"), worker.receiveMessage().leases().get(0).task(), "reopened goes first");
    testKit.stop(source); // as good as a crash: nothing is flushed on stop

    ActorRef<TaskSource.Command> restarted =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    restarted.tell(new TaskRequests.RequestTasks(8, "w", worker.getRef()));
    List<TaskRequests.Lease> after = worker.receiveMessage().leases();
    assertEquals(8, after.size());
    assertEquals(
        List.of(before.get(1).task(), before.get(2).task(), new TaskId("9+9")),
        after.subList(0, 3).stream().map(TaskRequests.Lease::task).toList(),
        "the three leases open at the stop are handed out again, the settled one is not");
    for (TaskRequests.Lease l : after) {
      assertTrue(l.id().value() > 4, "lease ids never repeat: " + l.id());
    }
    TaskGenerator reference = ArithmeticSuite.singleDigit().generator(1);
    for (int i = 0; i < 3; i++) {
      reference.next(); // the three drawn before the stop
    }
    for (TaskRequests.Lease l : after.subList(3, 8)) {
      assertEquals(reference.next().id(), l.task().value(), "the generator continues");
    }
  }

  @Test
  void shouldJournalAReopenOnceHoweverOftenItIsSentAndConfirmEachSend() {
    RolloutSettings settings = settings(8, Duration.ofMinutes(5));
    ActorRef<TaskSource.Command> source =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(1, "w", worker.getRef()));
    TaskRequests.Lease lease = worker.receiveMessage().leases().get(0);
    settlementPort(1)
        .tell(
            new SettleLeases(
                List.of(lease.id()),
                LeaseProtocol.Settlement.CONSUMED,
                testKit.system().ignoreRef()));

    TestProbe<LeaseProtocol.ReopenConfirmed> confirmations = testKit.createTestProbe();
    LeaseProtocol.ReopenLeases reopen =
        new LeaseProtocol.ReopenLeases(
            List.of(lease.id()), List.of(new TaskId("lost")), confirmations.getRef());
    ActorRef<LeaseProtocol.Command> port = settlementPort(1);
    port.tell(reopen);
    confirmations.expectMessage(new LeaseProtocol.ReopenConfirmed(List.of(lease.id())));
    port.tell(reopen); // its confirmation was lost, say: the learner sends it again
    confirmations.expectMessage(new LeaseProtocol.ReopenConfirmed(List.of(lease.id())));
    testKit.stop(source);

    ActorRef<TaskSource.Command> restarted =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    // A learner that restarted before the confirmation came sends it once more.
    settlementPortOtherThan(port).tell(reopen);
    confirmations.expectMessage(new LeaseProtocol.ReopenConfirmed(List.of(lease.id())));
    restarted.tell(new TaskRequests.RequestTasks(8, "w", worker.getRef()));
    List<TaskId> tasks =
        worker.receiveMessage().leases().stream().map(TaskRequests.Lease::task).toList();
    assertEquals(new TaskId("lost"), tasks.get(0));
    assertEquals(
        1,
        tasks.stream().filter(new TaskId("lost")::equals).count(),
        "three sends, one reopen: " + tasks);
  }

  @Test
  void shouldCloseAnOpenLeaseItReopensSoThatItsTaskIsQueuedOnce() {
    RolloutSettings settings = settings(2, Duration.ofMinutes(5));
    ActorRef<TaskSource.Command> source =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(1, "w", worker.getRef()));
    TaskRequests.Lease lease = worker.receiveMessage().leases().get(0);
    // Consumed by a step that was then discarded, and its settlement was lost: still open here.
    TestProbe<LeaseProtocol.ReopenConfirmed> confirmations = testKit.createTestProbe();
    settlementPort(1)
        .tell(
            new LeaseProtocol.ReopenLeases(
                List.of(lease.id()), List.of(lease.task()), confirmations.getRef()));
    confirmations.expectMessage(new LeaseProtocol.ReopenConfirmed(List.of(lease.id())));
    testKit.stop(source);

    // A lease still open at the restart would be expired and its task queued a second time.
    ActorRef<TaskSource.Command> restarted =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    restarted.tell(new TaskRequests.RequestTasks(2, "w", worker.getRef()));
    List<TaskRequests.Lease> after = worker.receiveMessage().leases();
    TaskGenerator reference = ArithmeticSuite.singleDigit().generator(1);
    reference.next(); // the one drawn before the stop
    assertEquals(
        List.of(lease.task(), new TaskId(reference.next().id())),
        after.stream().map(TaskRequests.Lease::task).toList());
  }

  @Test
  void shouldJournalHowEachLeaseWasSettledAndReplayItAfterARestart() throws Exception {
    RolloutSettings settings = settings(3, Duration.ofMinutes(5));
    ActorRef<TaskSource.Command> source =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef()));
    List<TaskRequests.Lease> leases = worker.receiveMessage().leases();
    List<LeaseProtocol.Settlement> kinds =
        List.of(
            LeaseProtocol.Settlement.CONSUMED,
            LeaseProtocol.Settlement.REJECTED_STALE,
            LeaseProtocol.Settlement.FAILED);
    ActorRef<LeaseProtocol.Command> port = settlementPort(1);
    for (int i = 0; i < 3; i++) {
      port.tell(
          new SettleLeases(
              List.of(leases.get(i).id()), kinds.get(i), testKit.system().ignoreRef()));
    }
    source.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef()));
    assertEquals(
        3,
        worker.receiveMessage().leases().size(),
        "the window was full: all three settlements are journaled");
    testKit.stop(source);

    ActorRef<TaskSource.Command> restarted =
        testKit.spawn(TaskSource.create(settings, ArithmeticSuite.singleDigit().generator(1)));
    restarted.tell(new TaskRequests.RequestTasks(3, "w", worker.getRef()));
    assertEquals(
        3,
        worker.receiveMessage().leases().size(),
        "the replay of the settlements leaves only the three open at the stop, handed out again");

    Map<Long, LeaseProtocol.Settlement> journaled = new HashMap<>();
    for (Object event : journal()) {
      if (event instanceof LeaseEvent.LeasesSettled settled) {
        for (LeaseId id : settled.leases()) {
          journaled.put(id.value(), settled.settlement());
        }
      }
    }
    assertEquals(
        Map.of(
            leases.get(0).id().value(), kinds.get(0),
            leases.get(1).id().value(), kinds.get(1),
            leases.get(2).id().value(), kinds.get(2)),
        journaled);
  }

  /** The task source's events, read back from the durable journal. */
  List<Object> journal() throws Exception {
    JdbcReadJournal journal =
        PersistenceQuery.get(testKit.system())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal
        .currentEventsByPersistenceId(TaskSource.PERSISTENCE_ID.id(), 0L, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }
}
