package verity.actors.cluster;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.net.URLDecoder;
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
import java.util.Properties;
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
 * {@code verity.writer}), which the {@link CoordinatorFence} checks on every write. The pool
 * (Slick's HikariCP in akka-persistence-jdbc) passes the {@code db.properties} of {@code
 * akka-persistence-jdbc.shared-databases.verity} to the driver with every connection it opens.
 */
public final class JournalDatabase {
  static final String DB_PATH = "akka-persistence-jdbc.shared-databases.verity.db";
  private static final String URL_PATH = DB_PATH + ".url";
  private static final String OPTIONS_PATH = DB_PATH + ".properties.options";
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
    String dataDir = config.getString("verity.data-dir");
    if (dataDir.indexOf(';') >= 0) {
      // H2 reads what follows a ';' as connection settings, INIT among them (it runs SQL).
      throw new ConfigException.BadValue(
          "verity.data-dir",
          "\""
              + dataDir
              + "\" contains ';', which the embedded journal's URL would read as connection"
              + " settings; choose a directory without it");
    }
    Path file = Path.of(dataDir).toAbsolutePath().resolve("journal");
    return "jdbc:h2:file:" + file + ";WRITE_DELAY=0";
  }

  /** Whether {@code url} names a PostgreSQL database. */
  public static boolean isPostgres(String url) {
    return url.startsWith("jdbc:postgresql:");
  }

  /**
   * The same configuration with the journal's URL filled in. On PostgreSQL every journal connection
   * also carries this node's writer token ({@code verity.persistence.writer-token}, or the
   * process's own when empty, which is then written back to that key) and the idle-in-transaction
   * timeout, as start-up options in the pool's driver properties. A node applies this before its
   * actor system starts ({@link VerityNode#load} does).
   */
  public static Config withUrl(Config config) {
    String url = url(config);
    Map<String, Object> values = new HashMap<>();
    if (isPostgres(url)) {
      String token = writerToken(config);
      WriterConnection writer =
          writerConnection(url, token, ConfigChecks.positiveDuration(config, IDLE_TIMEOUT_PATH));
      url = writer.url();
      values.put(OPTIONS_PATH, writer.options());
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

  /** A PostgreSQL URL, and the start-up options (pgjdbc's {@code options}) to connect with. */
  record WriterConnection(String url, String options) {}

  /**
   * {@code url} and the start-up options that set {@code verity.writer = token} and {@code
   * idle_in_transaction_session_timeout}. Options the URL gives itself are kept, moved from the URL
   * to the options: pgjdbc lets a URL parameter override the same driver property.
   */
  static WriterConnection writerConnection(String url, String token, Duration idleInTransaction) {
    String options =
        "-c verity.writer="
            + token
            + " -c idle_in_transaction_session_timeout="
            + idleInTransaction.toMillis();
    int query = url.indexOf('?');
    if (query < 0) {
      return new WriterConnection(url, options);
    }
    List<String> parameters = new ArrayList<>();
    for (String parameter : url.substring(query + 1).split("&")) {
      if (parameter.startsWith("options=")) {
        String given =
            URLDecoder.decode(parameter.substring("options=".length()), StandardCharsets.UTF_8);
        options = given + " " + options;
      } else if (!parameter.isEmpty()) {
        parameters.add(parameter);
      }
    }
    String base = url.substring(0, query);
    return new WriterConnection(
        parameters.isEmpty() ? base : base + "?" + String.join("&", parameters), options);
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
    Properties properties = new Properties();
    if (db.hasPath("properties")) {
      db.getConfig("properties")
          .entrySet()
          .forEach(e -> properties.setProperty(e.getKey(), e.getValue().unwrapped().toString()));
    }
    properties.setProperty("user", db.getString("user"));
    properties.setProperty("password", db.getString("password"));
    return DriverManager.getConnection(db.getString("url"), properties);
  }
}
