package verity.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.LocalOnly;
import verity.actors.testing.TestNodes;
import verity.actors.testing.TestPostgres;

/**
 * The coordinator fence with actors: two nodes in one JVM (two processes' writer tokens) share a
 * PostgreSQL journal, each with an event-sourced actor of the same persistence id, as a former
 * coordinator that resumes after a takeover and its successor would.
 */
class CoordinatorFenceActorsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataA;
  @TempDir Path dataB;

  /** A child's failure, as its parent saw it. */
  record Failure(Throwable cause) implements LocalOnly {}

  /** Runs {@code child} and passes it every command; tells {@code failures} why it failed. */
  static Behavior<Tally.Command> host(Behavior<Tally.Command> child, ActorRef<Failure> failures) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<Tally.Command> tally = ctx.spawn(child, "tally");
          ctx.watch(tally);
          return Behaviors.receive(Tally.Command.class)
              .onMessage(
                  Tally.Command.class,
                  command -> {
                    tally.tell(command);
                    return Behaviors.same();
                  })
              .onSignal(
                  ChildFailed.class,
                  failed -> {
                    failures.tell(new Failure(failed.getCause()));
                    return Behaviors.same();
                  })
              .build();
        });
  }

  private static Config node(TestPostgres database, String token) {
    return ConfigFactory.parseMap(Map.of("verity.persistence.writer-token", token))
        .withFallback(database.config())
        .withFallback(Tally.KRYO);
  }

  private static long claim(ActorTestKit node) throws Exception {
    return CoordinatorFence.claim(node.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  // Two actor systems with a kit each: the test is about two nodes writing one journal.
  @Test
  void shouldFailThePersistOfACoordinatorThatWasTakenOver() throws Exception {
    try (TestPostgres database = TestPostgres.createDatabase()) {
      ActorTestKit a = TestNodes.withJournal("fence-a", dataA, node(database, "writer-a"));
      ActorTestKit b = TestNodes.withJournal("fence-b", dataB, node(database, "writer-b"));
      try {
        assertEquals(1, claim(a));
        TestProbe<Tally.Report> reportsA = a.createTestProbe();
        TestProbe<Failure> failuresA = a.createTestProbe();
        TestProbe<Tally.Total> totalsA = a.createTestProbe();
        ActorRef<Tally.Command> tallyA =
            a.spawn(host(Tally.create("tally", reportsA.getRef()), failuresA.getRef()));
        reportsA.expectMessage(TIMEOUT, new Tally.Recovered(new Tally.Total(0, 0), 0));
        tallyA.tell(new Tally.Add(1, totalsA.getRef()));
        totalsA.expectMessage(TIMEOUT, new Tally.Total(1, 1));

        assertEquals(2, claim(b));

        tallyA.tell(new Tally.Add(2, totalsA.getRef()));
        Throwable cause = failuresA.expectMessageClass(Failure.class, TIMEOUT).cause();
        assertTrue(
            messages(cause).contains("fenced: the journal belongs to coordinator epoch 2"),
            messages(cause));
        totalsA.expectNoMessage(Duration.ofMillis(200));

        TestProbe<Tally.Report> reportsB = b.createTestProbe();
        TestProbe<Tally.Total> totalsB = b.createTestProbe();
        ActorRef<Tally.Command> tallyB = b.spawn(Tally.create("tally", reportsB.getRef()));
        // Only A's first event, written while A held the fence.
        reportsB.expectMessage(TIMEOUT, new Tally.Recovered(new Tally.Total(1, 1), 1));
        tallyB.tell(new Tally.Add(3, totalsB.getRef()));
        totalsB.expectMessage(TIMEOUT, new Tally.Total(2, 4));
        assertEquals(List.of(1L, 2L), sequenceNumbers(database, "tally"));

        // A's coordinator restarting in the same process finds the fence taken.
        ExecutionException refused = assertThrows(ExecutionException.class, () -> claim(a));
        CoordinatorFence.Fenced fenced =
            assertInstanceOf(CoordinatorFence.Fenced.class, refused.getCause());
        assertEquals(2, fenced.epoch());
        assertEquals(
            akka.cluster.typed.Cluster.get(b.system()).selfMember().address().toString(),
            fenced.holder());
      } finally {
        a.shutdownTestKit();
        b.shutdownTestKit();
      }
    }
  }

  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t).append('\n');
    }
    return all.toString();
  }

  private static List<Long> sequenceNumbers(TestPostgres database, String persistenceId)
      throws Exception {
    List<Long> numbers = new ArrayList<>();
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT sequence_number FROM event_journal WHERE persistence_id = '"
                    + persistenceId
                    + "' ORDER BY sequence_number")) {
      while (rows.next()) {
        numbers.add(rows.getLong(1));
      }
    }
    return numbers;
  }
}
