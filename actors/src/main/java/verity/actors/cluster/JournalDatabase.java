package verity.actors.cluster;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;

/**
 * Where the event journal lives: the URL from {@code verity.persistence.url}, or an embedded H2
 * file database {@code journal} under {@code verity.data-dir}. H2 writes every commit to the file
 * at once ({@code WRITE_DELAY=0}), so a process killed with SIGKILL loses no persisted event.
 */
public final class JournalDatabase {
  private static final String URL_PATH = "akka-persistence-jdbc.shared-databases.verity.db.url";

  private JournalDatabase() {}

  /** The JDBC URL this configuration means. */
  public static String url(Config config) {
    String url = config.getString("verity.persistence.url");
    if (!url.isBlank()) {
      return url;
    }
    Path file = Path.of(config.getString("verity.data-dir")).toAbsolutePath().resolve("journal");
    return "jdbc:h2:file:" + file + ";WRITE_DELAY=0";
  }

  /** The same configuration with the journal's URL filled in. */
  public static Config withUrl(Config config) {
    return ConfigFactory.parseMap(java.util.Map.of(URL_PATH, url(config))).withFallback(config);
  }

  /**
   * Creates the journal and snapshot tables if they do not exist yet; the plugin does not.
   * Persistent actors must not start before this completes.
   */
  public static CompletionStage<Done> ensureSchema(ActorSystem<?> system) {
    return SchemaUtils.createIfNotExists(system);
  }
}
