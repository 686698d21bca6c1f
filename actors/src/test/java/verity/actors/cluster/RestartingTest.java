package verity.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Supervision with back-off: a failed actor comes back, told how often it restarted before. */
class RestartingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  static ActorTestKit testKit;

  /** A message of the supervised test actor. */
  sealed interface Command {}

  /** Answer with the restarts before this incarnation. */
  record Ask(ActorRef<Integer> replyTo) implements Command {}

  /** Throw. */
  record Fail() implements Command {}

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("restarting");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Behavior<Command> incarnation(int restarts) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Ask.class,
            a -> {
              a.replyTo().tell(restarts);
              return Behaviors.same();
            })
        .onMessage(
            Fail.class,
            f -> {
              throw new IllegalStateException("failing on purpose, incarnation " + restarts);
            })
        .build();
  }

  @Test
  void shouldRestartAfterAFailureAndCountTheRestarts() {
    ActorRef<Command> actor =
        testKit.spawn(
            Restarting.withBackoff(
                Duration.ofMillis(10), Duration.ofMillis(50), RestartingTest::incarnation));
    TestProbe<Integer> probe = testKit.createTestProbe();
    actor.tell(new Ask(probe.getRef()));
    assertEquals(0, probe.receiveMessage(WAIT));
    actor.tell(new Fail());
    actor.tell(new Ask(probe.getRef())); // kept while the actor backs off
    assertEquals(1, probe.receiveMessage(WAIT));
    actor.tell(new Fail());
    actor.tell(new Ask(probe.getRef()));
    assertEquals(2, probe.receiveMessage(WAIT));
  }
}
