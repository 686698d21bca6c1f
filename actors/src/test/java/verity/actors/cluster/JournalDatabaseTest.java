package verity.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The journal's URL as a node's configuration means it. */
class JournalDatabaseTest {
  private static final String URL_PATH = "akka-persistence-jdbc.shared-databases.verity.db.url";
  private static final String OPTIONS_PATH =
      "akka-persistence-jdbc.shared-databases.verity.db.properties.options";

  private static Config node(Map<String, Object> settings) {
    return VerityNode.load(ConfigFactory.parseMap(settings));
  }

  @Test
  void shouldKeepTheH2FileUrlWithoutAWriterToken() {
    Config config = node(Map.of("verity.data-dir", "/tmp/run"));
    assertEquals("jdbc:h2:file:/tmp/run/journal;WRITE_DELAY=0", config.getString(URL_PATH));
    assertEquals("", config.getString(JournalDatabase.TOKEN_PATH));
    assertFalse(config.hasPath(OPTIONS_PATH));
  }

  @Test
  void shouldRefuseADataDirThatH2WouldReadAsConnectionSettings() {
    // Past a ';' H2 reads settings: INIT would run any SQL script as the journal opens.
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> node(Map.of("verity.data-dir", "/tmp/run;INIT=RUNSCRIPT FROM '/tmp/x.sql'")));
    assertTrue(e.getMessage().contains("verity.data-dir"), e.getMessage());
    assertTrue(e.getMessage().contains("';'"), e.getMessage());
  }

  @Test
  void shouldGiveEveryPostgresConnectionThisProcesssWriterToken() {
    Config first = node(Map.of("verity.persistence.url", "jdbc:postgresql://db:5432/verity"));
    Config second = node(Map.of("verity.persistence.url", "jdbc:postgresql://db:5432/verity"));
    String token = first.getString(JournalDatabase.TOKEN_PATH);
    assertFalse(token.isEmpty());
    assertEquals(token, second.getString(JournalDatabase.TOKEN_PATH));
    assertEquals("jdbc:postgresql://db:5432/verity", first.getString(URL_PATH));
    assertEquals(
        "-c verity.writer=" + token + " -c idle_in_transaction_session_timeout=10000",
        first.getString(OPTIONS_PATH));
  }

  @Test
  void shouldKeepTheUrlsOwnParametersAndOptions() {
    assertEquals(
        new JournalDatabase.WriterConnection(
            "jdbc:postgresql://db/verity?sslmode=require&ssl=true",
            "-c search_path=verity -c verity.writer=w-1"
                + " -c idle_in_transaction_session_timeout=2000"),
        JournalDatabase.writerConnection(
            "jdbc:postgresql://db/verity?sslmode=require&options=-c%20search_path%3Dverity&ssl=true",
            "w-1", Duration.ofSeconds(2)));
    assertEquals(
        "jdbc:postgresql://db/verity",
        JournalDatabase.writerConnection(
                "jdbc:postgresql://db/verity?options=-c+search_path%3Dverity",
                "w-1", Duration.ofSeconds(2))
            .url());
  }

  @Test
  void shouldRefuseAWriterTokenThatIsNoSessionSettingValue() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                node(
                    Map.of(
                        "verity.persistence.url",
                        "jdbc:postgresql://db:5432/verity",
                        "verity.persistence.writer-token",
                        "a b")));
    assertTrue(e.getMessage().contains("verity.persistence.writer-token"), e.getMessage());
  }
}
