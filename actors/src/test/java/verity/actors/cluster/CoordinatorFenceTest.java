package verity.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import verity.actors.testing.TestPostgres;

/**
 * The coordinator fence on a real PostgreSQL, through plain JDBC: two writers (two processes'
 * tokens) and the journal's tables as akka-persistence-jdbc creates them.
 */
class CoordinatorFenceTest {
  private TestPostgres database;

  @BeforeEach
  void createJournal() throws Exception {
    database = TestPostgres.createDatabase();
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      for (String ddl : pluginSchema().split(";")) {
        if (!ddl.isBlank()) {
          statement.execute(ddl);
        }
      }
      CoordinatorFence.install(connection);
    }
  }

  @AfterEach
  void dropJournal() {
    database.close();
  }

  private static String pluginSchema() throws IOException {
    try (InputStream in =
        CoordinatorFenceTest.class
            .getClassLoader()
            .getResourceAsStream("schema/postgres/postgres-create-schema.sql")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A node's configuration whose journal connections write as {@code token}. */
  private Config node(String token) {
    return VerityNode.load(
        ConfigFactory.parseMap(Map.of("verity.persistence.writer-token", token))
            .withFallback(database.config()));
  }

  @Test
  void shouldRefuseTheFormerHoldersWritesOnceAnotherCoordinatorClaimed() throws Exception {
    Config a = node("writer-a");
    Config b = node("writer-b");
    assertEquals(1, CoordinatorFence.from(a).claim("node-a"));
    try (Connection writerA = JournalDatabase.connect(a)) {
      long event = insertEvent(writerA, 1);
      insertTag(writerA, event, "a");
      insertSnapshot(writerA, 1);
    }

    assertEquals(2, CoordinatorFence.from(b).claim("node-b"));

    try (Connection writerA = JournalDatabase.connect(a);
        Connection writerB = JournalDatabase.connect(b)) {
      assertFenced(() -> insertEvent(writerA, 2), "INSERT on event_journal");
      assertFenced(() -> insertSnapshot(writerA, 2), "INSERT on snapshot");
      assertFenced(() -> insertTag(writerA, 1, "late"), "INSERT on event_tag");
      assertFenced(() -> update(writerA, "UPDATE event_journal SET deleted = true"), "UPDATE");
      assertFenced(() -> update(writerA, "DELETE FROM snapshot"), "DELETE on snapshot");

      long event = insertEvent(writerB, 2);
      insertTag(writerB, event, "b");
      insertSnapshot(writerB, 2);
    }
    assertEquals(List.of(1L, 2L), sequenceNumbers());
  }

  @Test
  void shouldRefuseTheFormerHoldersHeartbeatAndCountEveryRefusedWrite() throws Exception {
    CoordinatorFence a = CoordinatorFence.from(node("writer-a"));
    CoordinatorFence b = CoordinatorFence.from(node("writer-b"));
    a.claim("node-a");
    a.beat();
    assertEquals(0, a.refusals());
    b.claim("node-b");
    b.beat();
    CoordinatorFence.Fenced fenced = assertThrows(CoordinatorFence.Fenced.class, a::beat);
    assertTrue(fenced.getMessage().contains("fenced: the journal belongs to coordinator epoch 2"));
    try (Connection writerA = JournalDatabase.connect(node("writer-a"))) {
      assertFenced(() -> insertEvent(writerA, 1), "INSERT on event_journal");
    }
    assertEquals(2, b.refusals(), "the heartbeat and the event, counted though rolled back");
  }

  @Test
  void shouldRefuseTheFormerHoldersClaimAfterATakeover() throws Exception {
    CoordinatorFence a = CoordinatorFence.from(node("writer-a"));
    assertEquals(1, a.claim("node-a"));
    assertEquals(2, CoordinatorFence.from(node("writer-b")).claim("node-b"));

    CoordinatorFence.Fenced fenced =
        assertThrows(CoordinatorFence.Fenced.class, () -> a.claim("node-a"));
    assertEquals(
        "fenced: coordinator epoch 2 on node-b took over; this node stops coordinating",
        fenced.getMessage());
  }

  @Test
  void shouldKeepTheFenceForAHolderThatClaimsAgain() throws Exception {
    Config a = node("writer-a");
    assertEquals(1, CoordinatorFence.from(a).claim("node-a"));
    assertEquals(1, CoordinatorFence.from(a).claim("node-a"));
    try (Connection writerA = JournalDatabase.connect(a)) {
      insertEvent(writerA, 1);
    }
    assertEquals(List.of(1L), sequenceNumbers());
  }

  @Test
  void shouldLetAConnectionWithoutATokenReadButNotWrite() throws Exception {
    Config a = node("writer-a");
    try (Connection writerA = JournalDatabase.connect(a)) {
      insertEvent(writerA, 1);
    }
    assertEquals(1, CoordinatorFence.from(a).claim("node-a"));
    assertEquals(List.of(1L), sequenceNumbers());
    try (Connection plain = database.connect()) {
      assertFenced(() -> insertEvent(plain, 2), "epoch 1 on node-a");
    }
  }

  @Test
  void shouldCarryTheWriterTokenOnEveryJournalConnection() throws Exception {
    try (Connection writerA = JournalDatabase.connect(node("writer-a"));
        Statement statement = writerA.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT current_setting('verity.writer'),"
                    + " current_setting('idle_in_transaction_session_timeout')")) {
      assertTrue(row.next());
      assertEquals("writer-a", row.getString(1));
      assertEquals("10s", row.getString(2));
    }
  }

  @Test
  void shouldLetAClaimThroughOnceAWriterFrozenInATransactionIsEnded() throws Exception {
    Config a =
        ConfigFactory.parseMap(Map.of("verity.persistence.idle-in-transaction-timeout", "1s"))
            .withFallback(node("writer-a"));
    assertEquals(1, CoordinatorFence.from(a).claim("node-a"));
    try (Connection frozen = JournalDatabase.connect(a)) {
      frozen.setAutoCommit(false);
      insertEvent(frozen, 1);
      // The writer stops here, before its commit, holding the fence's row: the claim waits until
      // the server ends the idle transaction, and the write never lands.
      assertEquals(2, CoordinatorFence.from(node("writer-b")).claim("node-b"));
      assertThrows(SQLException.class, frozen::commit);
    }
    assertEquals(List.of(), sequenceNumbers());
  }

  private static void assertFenced(Executable write, String detail) {
    SQLException refused = assertThrows(SQLException.class, write);
    assertTrue(
        refused.getMessage().contains("fenced: the journal belongs to coordinator epoch"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains(detail), refused.getMessage());
  }

  private static long insertEvent(Connection connection, long sequenceNr) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp,"
                + " event_ser_id, event_ser_manifest, event_payload)"
                + " VALUES ('p', ?, 'w', 0, 1, '', '\\x00'::bytea) RETURNING ordering")) {
      insert.setLong(1, sequenceNr);
      try (ResultSet row = insert.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static void insertTag(Connection connection, long event, String tag) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO event_tag (event_id, tag) VALUES (?, ?)")) {
      insert.setLong(1, event);
      insert.setString(2, tag);
      insert.executeUpdate();
    }
  }

  private static void insertSnapshot(Connection connection, long sequenceNr) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot_ser_id,"
                + " snapshot_ser_manifest, snapshot_payload)"
                + " VALUES ('p', ?, 0, 1, '', '\\x00'::bytea)")) {
      insert.setLong(1, sequenceNr);
      insert.executeUpdate();
    }
  }

  private static void update(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate(sql);
    }
  }

  private List<Long> sequenceNumbers() throws SQLException {
    List<Long> numbers = new ArrayList<>();
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT sequence_number FROM event_journal ORDER BY sequence_number")) {
      while (rows.next()) {
        numbers.add(rows.getLong(1));
      }
    }
    return numbers;
  }
}
