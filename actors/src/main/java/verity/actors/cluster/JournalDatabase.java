package verity.actors.cluster;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import verity.actors.config.ConfigChecks;

/**
 * Where the event journal lives: the URL from {@code verity.persistence.url}, or an embedded H2
 * file database {@code journal} under {@code verity.data-dir}. H2 writes every commit to the file
 * at once ({@code WRITE_DELAY=0}), so a process killed with SIGKILL loses no persisted event.
 *
 * <p>On PostgreSQL every journal connection carries this node's writer token (the session setting
 * {@code verity.writer}), which the {@link CoordinatorFence} checks on every write.
 */
public final class JournalDatabase {
  static final String DB_PATH = "akka-persistence-jdbc.shared-databases.verity.db";
  private static final String URL_PATH = DB_PATH + ".url";
  static final String TOKEN_PATH = "verity.persistence.writer-token";
  private static final String IDLE_TIMEOUT_PATH = "verity.persistence.idle-in-transaction-timeout";
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]+");

  /** This process's writer token, made once: a restarted process is a new writer. */
  private static final String PROCESS_WRITER_TOKEN = UUID.randomUUID().toString();

  private JournalDatabase() {}

  /** The JDBC URL this configuration means, as configured (without the writer token). */
  public static String url(Config config) {
    String url = config.getString("verity.persistence.url");
    if (!url.isBlank()) {
      return url;
    }
    Path file = Path.of(config.getString("verity.data-dir")).toAbsolutePath().resolve("journal");
    return "jdbc:h2:file:" + file + ";WRITE_DELAY=0";
  }

  /** Whether {@code url} names a PostgreSQL database. */
  public static boolean isPostgres(String url) {
    return url.startsWith("jdbc:postgresql:");
  }

  /**
   * The same configuration with the journal's URL filled in. On PostgreSQL the URL carries this
   * node's writer token ({@code verity.persistence.writer-token}, or the process's own when empty,
   * which is then written back to that key) and the idle-in-transaction timeout. A node applies
   * this before its actor system starts ({@link VerityNode#load} does).
   */
  public static Config withUrl(Config config) {
    String url = url(config);
    Map<String, Object> values = new HashMap<>();
    if (isPostgres(url)) {
      String token = writerToken(config);
      url =
          withSessionSettings(url, token, ConfigChecks.positiveDuration(config, IDLE_TIMEOUT_PATH));
      values.put(TOKEN_PATH, token);
    }
    values.put(URL_PATH, url);
    return ConfigFactory.parseMap(values).withFallback(config);
  }

  private static String writerToken(Config config) {
    String token = config.getString(TOKEN_PATH);
    if (token.isEmpty()) {
      return PROCESS_WRITER_TOKEN;
    }
    if (!TOKEN.matcher(token).matches()) {
      throw new ConfigException.BadValue(
          TOKEN_PATH, "expected letters, digits, '.', '_' and '-' only, got \"" + token + "\"");
    }
    return token;
  }

  /**
   * {@code url} with the session settings {@code verity.writer = token} and {@code
   * idle_in_transaction_session_timeout} added to its {@code options} parameter (PostgreSQL's
   * start-up options, which pgjdbc takes from the URL), keeping any options already there.
   */
  static String withSessionSettings(String url, String token, Duration idleInTransaction) {
    String settings =
        "-c verity.writer="
            + token
            + " -c idle_in_transaction_session_timeout="
            + idleInTransaction.toMillis();
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    List<String> parameters = new ArrayList<>();
    String options = settings;
    if (query >= 0) {
      for (String parameter : url.substring(query + 1).split("&")) {
        if (parameter.startsWith("options=")) {
          String given =
              URLDecoder.decode(parameter.substring("options=".length()), StandardCharsets.UTF_8);
          options = given + " " + settings;
        } else if (!parameter.isEmpty()) {
          parameters.add(parameter);
        }
      }
    }
    parameters.add("options=" + URLEncoder.encode(options, StandardCharsets.UTF_8));
    return base + "?" + String.join("&", parameters);
  }

  /**
   * Creates the journal and snapshot tables if they do not exist yet; the plugin does not. On
   * PostgreSQL it then installs the {@link CoordinatorFence}'s table and triggers. Persistent
   * actors must not start before this completes.
   */
  public static CompletionStage<Done> ensureSchema(ActorSystem<?> system) {
    CompletionStage<Done> tables = SchemaUtils.createIfNotExists(system);
    Config config = system.settings().config();
    if (!isPostgres(config.getString(URL_PATH))) {
      return tables;
    }
    return tables.thenApplyAsync(
        done -> {
          try (Connection connection = connect(config)) {
            CoordinatorFence.install(connection);
            return done;
          } catch (SQLException e) {
            throw new CompletionException(
                new IllegalStateException(
                    "cannot install the coordinator fence: " + e.getMessage(), e));
          }
        },
        system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /**
   * A plain connection (outside the journal's pool) to the journal's database, as this node's
   * writer; the configuration must have been through {@link #withUrl}.
   */
  static Connection connect(Config config) throws SQLException {
    Config db = config.getConfig(DB_PATH);
    return DriverManager.getConnection(
        db.getString("url"), db.getString("user"), db.getString("password"));
  }
}
