package verity.actors.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh PostgreSQL database for one test, on the server that {@code .ci/postgres} (called by
 * {@code .ci/run}) installs and starts: {@code jdbc:postgresql://127.0.0.1:5432/verity} as user
 * {@code verity}, or the server the environment variables {@code VERITY_TEST_PG_URL}, {@code
 * VERITY_TEST_PG_USER} and {@code VERITY_TEST_PG_PASSWORD} name. Closing it drops the database.
 * Without a server the test fails, naming the URL: the journal on PostgreSQL is part of what is
 * tested, not an option.
 */
public final class TestPostgres implements TestJournal.Database {
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/verity";
  private static final Pattern DATABASE_IN_URL =
      Pattern.compile("(jdbc:postgresql://[^/?]+/)([^?]*)(\\?.*)?");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String serverUrl;
  private final String user;
  private final String password;
  private final String name;
  private final String url;

  private TestPostgres(String serverUrl, String user, String password, String name) {
    this.serverUrl = serverUrl;
    this.user = user;
    this.password = password;
    this.name = name;
    Matcher m = DATABASE_IN_URL.matcher(serverUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "VERITY_TEST_PG_URL must look like jdbc:postgresql://host:port/database, got "
              + serverUrl);
    }
    this.url = m.group(1) + name + (m.group(3) == null ? "" : m.group(3));
  }

  /** Creates a database with a random name on the test server. */
  public static TestPostgres createDatabase() {
    TestPostgres db =
        new TestPostgres(
            env("VERITY_TEST_PG_URL", DEFAULT_URL),
            env("VERITY_TEST_PG_USER", "verity"),
            env("VERITY_TEST_PG_PASSWORD", "verity"),
            "verity_test_" + HexFormat.of().formatHex(RANDOM.generateSeed(6)));
    Connection server;
    try {
      server = DriverManager.getConnection(db.serverUrl, db.user, db.password);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "no PostgreSQL for the journal tests at "
              + db.serverUrl
              + " as user "
              + db.user
              + " ("
              + e.getMessage()
              + "). .ci/run installs and starts it (or run .ci/postgres once); set"
              + " VERITY_TEST_PG_URL, VERITY_TEST_PG_USER and VERITY_TEST_PG_PASSWORD for another"
              + " server.",
          e);
    }
    try (server;
        Statement statement = server.createStatement()) {
      statement.execute("CREATE DATABASE " + db.name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create a test database on " + db.serverUrl + ": " + e.getMessage(), e);
    }
    return db;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  /** The fresh database's JDBC URL. */
  public String url() {
    return url;
  }

  /** The settings that point a node's journal at this database. */
  @Override
  public Config config() {
    return ConfigFactory.parseMap(
        Map.of(
            "verity.persistence.url", url,
            "verity.persistence.profile", "slick.jdbc.PostgresProfile$",
            "verity.persistence.driver", "org.postgresql.Driver",
            "verity.persistence.user", user,
            "verity.persistence.password", password));
  }

  /** A plain connection to this database, with no writer token: it reads; writes are fenced. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /** Drops the database, ending the connections still open to it. */
  @Override
  public void close() {
    SQLException last = null;
    // An autovacuum worker busy in the database (it has no role on PostgreSQL 15) cannot be ended
    // by a role outside pg_signal_backend; it finishes within moments, so the drop is tried again.
    for (int attempt = 0; attempt < 10; attempt++) {
      try (Connection server = DriverManager.getConnection(serverUrl, user, password);
          Statement statement = server.createStatement()) {
        statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        return;
      } catch (SQLException e) {
        last = e;
        try {
          Thread.sleep(500);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new IllegalStateException(
        "cannot drop the test database " + name + " on " + serverUrl + ": " + last.getMessage(),
        last);
  }
}
