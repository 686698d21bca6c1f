package verity.deploy.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SystemStopTest {
  static final Config LOCAL =
      ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load());

  @Test
  void shouldStopASystemWhoseActorsLetGo() throws Exception {
    ActorSystem<String> system = ActorSystem.create(Behaviors.ignore(), "stops", LOCAL);
    StringWriter err = new StringWriter();
    assertTrue(
        SystemStop.terminate(system, Duration.ofSeconds(30), "verity test", new PrintWriter(err)));
    assertEquals("", err.toString());
  }

  @Test
  void shouldGiveUpOnABlockedActorAndNameWhereItBlocks() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ActorSystem<String> system =
        ActorSystem.create(
            Behaviors.receiveMessage(
                m -> {
                  blockUntil(entered, release);
                  return Behaviors.same();
                }),
            "blocks",
            LOCAL);
    system.tell("block");
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    StringWriter err = new StringWriter();
    boolean stopped =
        SystemStop.terminate(system, Duration.ofSeconds(1), "verity test", new PrintWriter(err));
    release.countDown();

    assertFalse(stopped, "a blocked actor keeps the system from stopping");
    String said = err.toString();
    assertTrue(said.startsWith("verity test: " + SystemStop.DID_NOT_STOP + " 1 s"), said);
    assertTrue(said.contains("SystemStopTest.blockUntil"), "names where it blocks: " + said);
    assertFalse(said.contains("SystemStop.terminate"), "not the thread that waits: " + said);
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void blockUntil(CountDownLatch entered, CountDownLatch release)
      throws InterruptedException {
    entered.countDown();
    release.await();
  }
}
