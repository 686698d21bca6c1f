package verity.learner;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import verity.actors.cluster.JournalDatabase;
import verity.actors.cluster.VerityNode;

/** A single-node test cluster whose journal is an H2 file under {@code dataDir}. */
final class LearnerTesting {
  private LearnerTesting() {}

  static ActorTestKit startNode(Path dataDir) throws Exception {
    ActorTestKit testKit =
        ActorTestKit.create(
            "learner",
            VerityNode.load(
                ConfigFactory.parseMap(
                    Map.of(
                        "akka.remote.artery.canonical.port",
                        0,
                        "verity.data-dir",
                        dataDir.toString()))));
    VerityNode.joinSelf(testKit.system());
    JournalDatabase.ensureSchema(testKit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    return testKit;
  }
}
