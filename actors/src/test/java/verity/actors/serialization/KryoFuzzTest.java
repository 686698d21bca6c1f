package verity.actors.serialization;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.VerityNode;

/** {@link KryoFuzz} over the types this module registers (the deploy module's test: all). */
class KryoFuzzTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "kryo-fuzz",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldAnswerEveryHostilePayloadWithAValueOrAnException() {
    System.out.println(KryoFuzz.run(testKit.system(), 20261207));
  }
}
