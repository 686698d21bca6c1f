package verity.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import verity.actors.testing.TestJournal;
import verity.actors.testing.TestNodes;

/**
 * The journal's plugin configuration works on each database Verity supports: the schema step
 * creates the tables, and what an event-sourced actor journals and snapshots comes back in its next
 * incarnation on another actor system.
 */
class JournalRecoveryTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  // Each incarnation runs in an actor system of its own (a kit per test, not per class), so the
  // second can only know what the database holds.
  @ParameterizedTest
  @EnumSource(TestJournal.class)
  void shouldRecoverEventsAndSnapshotInANewIncarnation(TestJournal kind) throws Exception {
    try (TestJournal.Database database = kind.open()) {
      ActorTestKit first =
          TestNodes.withJournal(
              "journal-first", dataDir, database.config().withFallback(Tally.KRYO));
      try {
        assertEquals(
            kind,
            JournalDatabase.isPostgres(JournalDatabase.url(first.system().settings().config()))
                ? TestJournal.POSTGRESQL
                : TestJournal.H2);
        TestProbe<Tally.Report> reports = first.createTestProbe();
        ActorRef<Tally.Command> tally = first.spawn(Tally.create("tally", reports.getRef()));
        reports.expectMessage(TIMEOUT, new Tally.Recovered(new Tally.Total(0, 0), 0));
        TestProbe<Tally.Total> totals = first.createTestProbe();
        for (long value = 1; value <= 5; value++) {
          tally.tell(new Tally.Add(value, totals.getRef()));
          totals.expectMessage(TIMEOUT, new Tally.Total(value, value * (value + 1) / 2));
        }
        reports.expectMessage(TIMEOUT, new Tally.SnapshotStored(3));
      } finally {
        first.shutdownTestKit();
      }

      ActorTestKit second =
          TestNodes.withJournal(
              "journal-second", dataDir, database.config().withFallback(Tally.KRYO));
      try {
        TestProbe<Tally.Report> reports = second.createTestProbe();
        ActorRef<Tally.Command> tally = second.spawn(Tally.create("tally", reports.getRef()));
        // The snapshot at event 3, then events 4 and 5.
        reports.expectMessage(TIMEOUT, new Tally.Recovered(new Tally.Total(5, 15), 2));
        TestProbe<Tally.Total> totals = second.createTestProbe();
        tally.tell(new Tally.Add(6, totals.getRef()));
        totals.expectMessage(TIMEOUT, new Tally.Total(6, 21));
      } finally {
        second.shutdownTestKit();
      }
    }
  }
}
