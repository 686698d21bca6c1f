package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.LoggingEvent;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.JournalDatabase;
import verity.actors.cluster.JournalFailureLog;
import verity.actors.testing.TestNodes;
import verity.envs.arith.ArithmeticSuite;

/**
 * A journal failure stops the task source and says why in its log: a journal written by an older
 * Verity (events under Kryo ids this one retired) in one clear line instead of a serializer's stack
 * trace, a failed write in a line of its own. Each test runs its own actor systems (a kit per test
 * or two), since each needs a journal of its own and only an older system may know the old event.
 */
class TaskSourceJournalFailureTest {
  @TempDir Path dataDir;

  /** How an older Verity journaled a lease (its Kryo id 420 is retired). */
  record OlderLeased(long first, String[] tasks) implements VerityMessage {}

  /** Journal one older event. */
  record Write(ActorRef<Done> replyTo) implements LocalOnly {}

  /** The older task source, as far as this test needs it: it journals one lease. */
  static final class OlderTaskSource extends EventSourcedBehavior<Write, OlderLeased, Long> {
    OlderTaskSource() {
      super(TaskSource.PERSISTENCE_ID);
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Write, OlderLeased, Long> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Write.class,
              w ->
                  Effect()
                      .persist(new OlderLeased(1, new String[] {"1+1"}))
                      .thenRun(s -> w.replyTo().tell(Done.getInstance())))
          .build();
    }

    @Override
    public EventHandler<Long, OlderLeased> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s + 1);
    }
  }

  @Test
  void shouldStopWithOneClearLineOnAJournalWrittenByAnOlderVerity() throws Exception {
    ActorTestKit older =
        TestNodes.withJournal(
            "older-verity",
            dataDir,
            ConfigFactory.parseString(
                "verity.serialization.kryo.registrations {\n"
                    + "  \"verity.rollout.TaskSourceJournalFailureTest$OlderLeased\" = 420\n"
                    + "}"));
    try {
      TestProbe<Done> written = older.createTestProbe();
      older.spawn(new OlderTaskSource()).tell(new Write(written.getRef()));
      written.expectMessage(Duration.ofSeconds(30), Done.getInstance());
    } finally {
      older.shutdownTestKit();
    }

    ActorTestKit current = TestNodes.withJournal("current-verity", dataDir);
    try {
      TestProbe<Object> watcher = current.createTestProbe();
      List<LoggingEvent> errors = new CopyOnWriteArrayList<>();
      // Every error logged while the task source starts and stops: exactly one is expected.
      LoggingTestKit.custom(event -> event.level() == Level.ERROR && errors.add(event))
          .expect(
              current.system(),
              () -> {
                ActorRef<TaskSource.Command> spawned =
                    current.spawn(
                        TaskSource.create(
                            TaskSourceTest.settings(4, Duration.ofMinutes(5)),
                            ArithmeticSuite.singleDigit().generator(1)));
                watcher.expectTerminated(spawned, Duration.ofSeconds(30));
                return spawned;
              });
      assertEquals(JournalFailureLog.olderJournal("task source"), errors.get(0).message());
      assertEquals(Optional.empty(), errors.get(0).getThrowable(), "no stack trace");
      assertEquals(1, errors.size(), "one line: " + errors);
    } finally {
      current.shutdownTestKit();
    }
  }

  @Test
  void shouldStopWithALineOfItsOwnWhenAJournalWriteFails() throws Exception {
    ActorTestKit kit = TestNodes.withJournal("write-failure", dataDir);
    try {
      ActorRef<TaskSource.Command> source =
          kit.spawn(
              TaskSource.create(
                  TaskSourceTest.settings(4, Duration.ofMinutes(5)),
                  ArithmeticSuite.singleDigit().generator(1)));
      TestProbe<TaskRequests.Leases> worker = kit.createTestProbe();
      source.tell(new TaskRequests.RequestTasks(1, "w", worker.getRef()));
      assertEquals(1, worker.receiveMessage(Duration.ofSeconds(30)).leases().size());
      // The journal's table goes away under the running task source.
      try (Connection db =
              DriverManager.getConnection(
                  JournalDatabase.url(kit.system().settings().config()), "", "");
          Statement sql = db.createStatement()) {
        sql.execute("ALTER TABLE \"event_journal\" RENAME TO \"event_journal_gone\"");
      }
      TestProbe<Object> watcher = kit.createTestProbe();
      LoggingTestKit.error("its journal failed a write")
          .withMessageContains("event_journal")
          .expect(
              kit.system(),
              () -> {
                source.tell(new TaskRequests.RequestTasks(1, "w", worker.getRef()));
                watcher.expectTerminated(source, Duration.ofSeconds(30));
                return null;
              });
      worker.expectNoMessage(Duration.ofMillis(100)); // nothing is answered before it is journaled
    } finally {
      kit.shutdownTestKit();
    }
  }
}
