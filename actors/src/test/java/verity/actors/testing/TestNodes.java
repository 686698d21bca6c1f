package verity.actors.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import verity.actors.cluster.JournalDatabase;
import verity.actors.cluster.VerityNode;

/** Single-node test clusters for other modules' tests. */
public final class TestNodes {
  private TestNodes() {}

  /**
   * A node that has joined itself, on a free port, with its journal an H2 file under {@code
   * dataDir} whose tables exist.
   */
  public static ActorTestKit withJournal(String name, Path dataDir) throws Exception {
    return withJournal(name, dataDir, ConfigFactory.empty());
  }

  /**
   * As {@link #withJournal(String, Path)}, with {@code journal} layered over the node's settings:
   * the {@link TestJournal.Database#config()} of the database the journal is to live in (nothing
   * for H2, a {@link TestPostgres} database's settings for PostgreSQL), and any other setting the
   * test needs. The journal's tables (and on PostgreSQL the coordinator fence) exist on return.
   */
  public static ActorTestKit withJournal(String name, Path dataDir, Config journal)
      throws Exception {
    ActorTestKit testKit =
        ActorTestKit.create(
            name,
            VerityNode.load(
                journal.withFallback(
                    ConfigFactory.parseMap(
                        Map.of(
                            "akka.remote.artery.canonical.port",
                            0,
                            "verity.data-dir",
                            dataDir.toString())))));
    VerityNode.joinSelf(testKit.system());
    JournalDatabase.ensureSchema(testKit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    return testKit;
  }
}
