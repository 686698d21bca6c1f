package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import verity.actors.cluster.ServiceKeys;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.ClaimAnswer;
import verity.actors.testing.TestJournal;
import verity.actors.testing.TestNodes;
import verity.envs.TaskGenerator;
import verity.envs.arith.ArithmeticSuite;
import verity.rollout.lease.LeaseEvent;

/**
 * The task source's side of {@link LeaseProtocol}: claims, confirmed settlements, reopens and
 * released claims, as the learner sends them through the receptionist, across restarts of the task
 * source; and leases handed back by a draining worker.
 */
@ParameterizedClass
@EnumSource(TestJournal.class)
class TaskSourceClaimsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Every test runs on the embedded H2 file and on PostgreSQL. */
  @Parameter TestJournal journal;

  @TempDir Path dataDir;
  ActorTestKit testKit;
  TestJournal.Database database;

  /** A node and an empty journal of its own per test. */
  @BeforeEach
  void start() throws Exception {
    database = journal.open();
    testKit = TestNodes.withJournal("task-source-claims", dataDir, database.config());
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
    database.close();
  }

  ActorRef<TaskSource.Command> spawn(int window, Duration leaseTimeout) {
    return testKit.spawn(
        TaskSource.create(
            TaskSourceTest.settings(window, leaseTimeout),
            ArithmeticSuite.singleDigit().generator(1)));
  }

  /** The learner's port of the task source, other than {@code old} (null: any). */
  ActorRef<LeaseProtocol.Command> learnerPort(ActorRef<LeaseProtocol.Command> old) {
    TestProbe<Receptionist.Listing> probe = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.LEASE_SETTLEMENT, probe.getRef()));
    while (true) {
      Set<ActorRef<LeaseProtocol.Command>> refs =
          probe.receiveMessage(WAIT).getServiceInstances(ServiceKeys.LEASE_SETTLEMENT);
      if (!refs.isEmpty() && !refs.contains(old)) {
        return refs.iterator().next();
      }
    }
  }

  List<TaskRequests.Lease> lease(ActorRef<TaskSource.Command> source, int n, String worker) {
    TestProbe<TaskRequests.Leases> probe = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(n, worker, probe.getRef()));
    return probe.receiveMessage(WAIT).leases();
  }

  ClaimAnswer claim(ActorRef<LeaseProtocol.Command> port, long epoch, List<LeaseId> leases) {
    TestProbe<ClaimAnswer> probe = testKit.createTestProbe();
    port.tell(new LeaseProtocol.ClaimLeases(leases, epoch, probe.getRef()));
    return probe.receiveMessage(WAIT);
  }

  void settle(ActorRef<LeaseProtocol.Command> port, List<LeaseId> leases) {
    TestProbe<LeaseProtocol.SettlementConfirmed> probe = testKit.createTestProbe();
    port.tell(
        new LeaseProtocol.SettleLeases(leases, LeaseProtocol.Settlement.CONSUMED, probe.getRef()));
    assertEquals(new LeaseProtocol.SettlementConfirmed(leases), probe.receiveMessage(WAIT));
  }

  void release(ActorRef<LeaseProtocol.Command> port, long epoch) {
    TestProbe<LeaseProtocol.ClaimsReleased> probe = testKit.createTestProbe();
    port.tell(new LeaseProtocol.ReleaseClaims(epoch, probe.getRef()));
    assertEquals(new LeaseProtocol.ClaimsReleased(epoch), probe.receiveMessage(WAIT));
  }

  static List<LeaseId> ids(List<TaskRequests.Lease> leases) {
    return leases.stream().map(TaskRequests.Lease::id).toList();
  }

  static List<TaskId> tasks(List<TaskRequests.Lease> leases) {
    return leases.stream().map(TaskRequests.Lease::task).toList();
  }

  /** The task source's events, read back from the durable journal. */
  List<LeaseEvent> journal() throws Exception {
    JdbcReadJournal journal =
        PersistenceQuery.get(testKit.system())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal
        .currentEventsByPersistenceId(TaskSource.PERSISTENCE_ID.id(), 0L, Long.MAX_VALUE)
        .map(e -> (LeaseEvent) e.event())
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** The causes of the journaled expiries of {@code lease}, in journal order. */
  List<String> expiries(List<LeaseEvent> journal, LeaseId lease) {
    List<String> causes = new ArrayList<>();
    for (LeaseEvent e : journal) {
      if (e instanceof LeaseEvent.LeasesExpired x && x.leases().contains(lease)) {
        causes.add(x.cause().name());
      }
    }
    return causes;
  }

  @Test
  void aClaimedLeaseNeverExpiresAndItsSettlementClosesIt() throws Exception {
    ActorRef<TaskSource.Command> source = spawn(1, Duration.ofMillis(300));
    ActorRef<LeaseProtocol.Command> port = learnerPort(null);
    TaskRequests.Lease claimed = lease(source, 1, "w1").get(0);
    assertEquals(
        new ClaimAnswer(List.of(claimed.id()), List.of()), claim(port, 1, List.of(claimed.id())));

    TestProbe<TaskRequests.Leases> other = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(1, "w2", other.getRef()));
    // Several sweeps after its deadline: the claimed lease still fills the window.
    other.expectNoMessage(Duration.ofMillis(2500));

    settle(port, List.of(claimed.id()));
    TaskRequests.Lease next = other.receiveMessage(WAIT).leases().get(0);
    assertTrue(next.id().value() > claimed.id().value());
    settle(port, List.of(claimed.id())); // a repeat is confirmed again
    List<LeaseEvent> journal = journal();
    assertEquals(List.of(), expiries(journal, claimed.id()));
    assertEquals(
        1,
        journal.stream()
            .filter(
                e -> e instanceof LeaseEvent.LeasesSettled s && s.leases().contains(claimed.id()))
            .count(),
        "settled once: " + journal);
  }

  @Test
  void aClaimIsGrantedToOneEpochOnlyAndRefusedForAClosedLease() {
    ActorRef<TaskSource.Command> source = spawn(8, Duration.ofMinutes(5));
    ActorRef<LeaseProtocol.Command> port = learnerPort(null);
    List<LeaseId> leases = ids(lease(source, 3, "w"));
    LeaseId first = leases.get(0);
    LeaseId second = leases.get(1);
    LeaseId third = leases.get(2);
    assertEquals(
        new ClaimAnswer(List.of(first, second), List.of()), claim(port, 5, List.of(first, second)));
    assertEquals(
        new ClaimAnswer(List.of(first, second), List.of()),
        claim(port, 5, List.of(first, second)),
        "a repeat is granted again");
    assertEquals(
        new ClaimAnswer(List.of(), List.of(second)),
        claim(port, 6, List.of(second)),
        "claimed by another epoch");
    settle(port, List.of(third));
    LeaseId neverLeased = new LeaseId(third.value() + 100);
    assertEquals(
        new ClaimAnswer(List.of(), List.of(third, neverLeased)),
        claim(port, 5, List.of(third, neverLeased)),
        "settled, never leased");
  }

  @Test
  void aClaimedLeaseOpenAtARestartStaysClaimedAndTheOthersExpire() throws Exception {
    ActorRef<TaskSource.Command> source = spawn(8, Duration.ofMinutes(5));
    ActorRef<LeaseProtocol.Command> port = learnerPort(null);
    List<TaskRequests.Lease> before = lease(source, 2, "w");
    LeaseId claimed = before.get(0).id();
    assertEquals(new ClaimAnswer(List.of(claimed), List.of()), claim(port, 1, List.of(claimed)));
    testKit.stop(source);

    ActorRef<TaskSource.Command> restarted = spawn(8, Duration.ofMinutes(5));
    port = learnerPort(port);
    List<TaskRequests.Lease> after = lease(restarted, 7, "w");
    assertEquals(7, after.size(), "the claimed lease still takes one slot of the window");
    assertEquals(before.get(1).task(), after.get(0).task(), "the unclaimed one is leased again");
    assertEquals(
        new ClaimAnswer(List.of(claimed), List.of()),
        claim(port, 1, List.of(claimed)),
        "still claimed by the same epoch");
    settle(port, List.of(claimed));
    List<LeaseEvent> journal = journal();
    assertEquals(List.of(), expiries(journal, claimed));
    assertEquals(List.of("OPEN_AT_RECOVERY"), expiries(journal, before.get(1).id()));
  }

  @Test
  void releasingClaimsLeasesTheirTasksAgainAndRefusesEarlierEpochsAcrossARestart()
      throws Exception {
    ActorRef<TaskSource.Command> source = spawn(8, Duration.ofMinutes(5));
    ActorRef<LeaseProtocol.Command> port = learnerPort(null);
    List<TaskRequests.Lease> leases = lease(source, 3, "w");
    LeaseId lost = leases.get(0).id();
    LeaseId kept = leases.get(1).id();
    LeaseId unclaimed = leases.get(2).id();
    claim(port, 1, List.of(lost));
    claim(port, 2, List.of(kept));

    release(port, 2);
    release(port, 2); // a repeat: answered, nothing requeued twice
    assertEquals(
        new ClaimAnswer(List.of(), List.of(unclaimed)),
        claim(port, 1, List.of(unclaimed)),
        "epoch 1 is older than the released claims");
    assertEquals(
        leases.get(0).task(), lease(source, 1, "w").get(0).task(), "the released claim's task");
    testKit.stop(source);

    ActorRef<TaskSource.Command> restarted = spawn(8, Duration.ofMinutes(5));
    port = learnerPort(port);
    assertEquals(
        new ClaimAnswer(List.of(kept), List.of()),
        claim(port, 2, List.of(kept)),
        "the newer epoch keeps its claim");
    LeaseId fresh = lease(restarted, 1, "w").get(0).id();
    assertEquals(
        new ClaimAnswer(List.of(), List.of(fresh)),
        claim(port, 1, List.of(fresh)),
        "the release is journaled: epoch 1 is still refused");
    List<LeaseEvent> journal = journal();
    assertEquals(List.of("CLAIM_RELEASED"), expiries(journal, lost));
    assertEquals(List.of(), expiries(journal, kept));
  }

  @Test
  void aReopenClosesAClaimedLeaseSoThatReleasingItsEpochDoesNotRequeueItAgain() {
    ActorRef<TaskSource.Command> source = spawn(8, Duration.ofMinutes(5));
    ActorRef<LeaseProtocol.Command> port = learnerPort(null);
    TaskRequests.Lease reopened = lease(source, 1, "w").get(0);
    claim(port, 1, List.of(reopened.id()));
    TestProbe<LeaseProtocol.ReopenConfirmed> confirmations = testKit.createTestProbe();
    port.tell(
        new LeaseProtocol.ReopenLeases(
            List.of(reopened.id()), List.of(reopened.task()), confirmations.getRef()));
    confirmations.expectMessage(WAIT, new LeaseProtocol.ReopenConfirmed(List.of(reopened.id())));
    release(port, 2);
    assertEquals(
        new ClaimAnswer(List.of(), List.of(reopened.id())),
        claim(port, 2, List.of(reopened.id())),
        "closed by the reopen");
    List<TaskRequests.Lease> again = lease(source, 8, "w");
    assertEquals(reopened.task(), again.get(0).task(), "requeued by the reopen");
    TaskGenerator reference = ArithmeticSuite.singleDigit().generator(1);
    reference.next(); // the one drawn before
    for (TaskRequests.Lease l : again.subList(1, 8)) {
      assertEquals(reference.next().id(), l.task().value(), "not requeued a second time");
    }
  }

  @Test
  void leasesReturnedByTheirWorkerGoOutFirstAndClaimedOrForeignOnesStay() throws Exception {
    ActorRef<TaskSource.Command> source = spawn(4, Duration.ofMinutes(5));
    ActorRef<LeaseProtocol.Command> port = learnerPort(null);
    List<TaskRequests.Lease> leases = lease(source, 4, "w1");
    // The first lease's training was lost: its task waits to be leased again.
    TestProbe<LeaseProtocol.ReopenConfirmed> confirmations = testKit.createTestProbe();
    port.tell(
        new LeaseProtocol.ReopenLeases(
            List.of(leases.get(0).id()), List.of(leases.get(0).task()), confirmations.getRef()));
    confirmations.receiveMessage(WAIT);
    claim(port, 1, List.of(leases.get(3).id()));

    source.tell(new TaskRequests.ReturnLeases(List.of(leases.get(2).id()), "w2")); // not w2's
    source.tell(
        new TaskRequests.ReturnLeases(
            List.of(leases.get(1).id(), leases.get(2).id(), leases.get(3).id()), "w1"));
    List<TaskRequests.Lease> again = lease(source, 3, "w3");
    assertEquals(
        List.of(leases.get(1).task(), leases.get(2).task(), leases.get(0).task()),
        tasks(again),
        "returned first, in their order, then the reopened one; the claimed one stays out");
    List<LeaseEvent> journal = journal();
    assertEquals(List.of("RETURNED_BY_WORKER"), expiries(journal, leases.get(1).id()));
    assertEquals(List.of(), expiries(journal, leases.get(3).id()));
  }
}
