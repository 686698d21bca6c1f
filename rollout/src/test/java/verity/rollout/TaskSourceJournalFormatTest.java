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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.testing.TestNodes;
import verity.envs.arith.ArithmeticSuite;
import verity.rollout.lease.JournalFailureLog;

/**
 * A journal written by an older Verity (events under Kryo ids this one retired) stops the task
 * source with one clear line instead of a serializer's stack trace. Each incarnation runs in an
 * actor system of its own (a kit per test), since only the older one may know the old event.
 */
class TaskSourceJournalFormatTest {
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
                    + "  \"verity.rollout.TaskSourceJournalFormatTest$OlderLeased\" = 420\n"
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
      assertEquals(JournalFailureLog.OLDER_JOURNAL, errors.get(0).message());
      assertEquals(Optional.empty(), errors.get(0).getThrowable(), "no stack trace");
      assertEquals(1, errors.size(), "one line: " + errors);
    } finally {
      current.shutdownTestKit();
    }
  }
}
