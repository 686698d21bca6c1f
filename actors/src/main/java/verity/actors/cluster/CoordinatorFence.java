package verity.actors.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The run coordinator's fence on a PostgreSQL journal: the database accepts writes to the journal's
 * tables only from the writer token of the coordinator that claimed the fence last, so a former
 * coordinator that was frozen (SIGSTOP, a stalled VM) and resumes after another took over cannot
 * write. On H2 the embedded database's file lock fences a former host, and this is a no-op.
 *
 * <p>The fence is a one-row table naming the holder's token and an epoch, a table of every claim,
 * and a statement trigger on the journal's tables that refuses a write unless the connection's
 * {@code verity.writer} setting (see {@link JournalDatabase#withUrl}) names the holder. Until a
 * coordinator claims it, every writer may write (single-node tests, tools). The database counts
 * every refused write in a sequence ({@link #refusals}: a sequence survives the refused write's
 * rollback). The coordinator also writes a heartbeat row under the same trigger every second
 * ({@link #beat}), so a former coordinator that resumes learns within a second that its writes are
 * refused and stops its ledgers, whatever they were about to do. Hand-written: neither Akka nor
 * akka-persistence-jdbc fences a JDBC journal against a stale writer.
 */
public final class CoordinatorFence {

  /** Refused: a newer coordinator holds the fence, and this node must stop coordinating. */
  public static final class Fenced extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final long epoch;
    private final String holder;

    Fenced(long epoch, String holder) {
      super(
          "fenced: coordinator epoch "
              + epoch
              + " on "
              + holder
              + " took over; this node stops coordinating");
      this.epoch = epoch;
      this.holder = holder;
    }

    /** The database refused a write: {@code refusal} is its message. */
    Fenced(String refusal) {
      super(refusal + "; this node stops coordinating");
      this.epoch = -1;
      this.holder = null;
    }

    /** The epoch of the coordinator that holds the fence now. */
    public long epoch() {
      return epoch;
    }

    /** The node of the coordinator that holds the fence now. */
    public String holder() {
      return holder;
    }
  }

  private static final String FENCE = "public.verity_coordinator_fence";
  private static final String EPOCHS = "public.verity_coordinator_epochs";
  private static final String HEARTBEAT = "public.verity_coordinator_heartbeat";
  private static final String REFUSALS = "public.verity_coordinator_fence_refusals";

  /** PostgreSQL's SQLSTATE of the trigger's refusal (insufficient_privilege). */
  private static final String REFUSED = "42501";

  /** How long a claim waits for the writes in flight; a frozen one ends at its idle timeout. */
  private static final String CLAIM_LOCK_TIMEOUT = "120s";

  private final Config config;
  private final boolean postgres;
  private final String token;

  private CoordinatorFence(Config config) {
    this.config = config;
    this.postgres = JournalDatabase.isPostgres(config.getString(JournalDatabase.DB_PATH + ".url"));
    this.token = postgres ? config.getString(JournalDatabase.TOKEN_PATH) : "";
  }

  /**
   * The fence of the journal a node with this configuration (after {@link VerityNode#load}) writes.
   */
  public static CoordinatorFence from(Config config) {
    return new CoordinatorFence(config);
  }

  /**
   * Makes sure the journal's tables and the fence exist, then claims the fence for this node, off
   * the actor's thread: completes with the epoch this node's coordinator holds, or fails with
   * {@link Fenced} itself (not wrapped) when a newer coordinator took over, or with the schema's or
   * database's failure. The run coordinator calls it before it starts the journal's writers.
   */
  public static CompletionStage<Long> claim(ActorSystem<?> system) {
    CoordinatorFence fence = from(system.settings().config());
    String node = Cluster.get(system).selfMember().address().toString();
    CompletableFuture<Long> claimed = new CompletableFuture<>();
    JournalDatabase.ensureSchema(system)
        .whenComplete(
            (done, schemaFailure) -> {
              if (schemaFailure != null) {
                claimed.completeExceptionally(unwrap(schemaFailure));
                return;
              }
              system
                  .dispatchers()
                  .lookup(DispatcherSelector.blocking())
                  .execute(
                      () -> {
                        try {
                          claimed.complete(fence.claim(node));
                        } catch (SQLException e) {
                          claimed.completeExceptionally(
                              new IllegalStateException(
                                  "cannot claim the coordinator fence: " + e.getMessage(), e));
                        } catch (RuntimeException e) {
                          claimed.completeExceptionally(e);
                        }
                      });
            });
    return claimed;
  }

  /** True when this journal is fenced by the database (PostgreSQL), false on H2. */
  public boolean guards() {
    return postgres;
  }

  /**
   * Writes the coordinator's heartbeat under the fence, off the actor's thread: completes when the
   * database took it, fails with {@link Fenced} when the database refused it (another coordinator
   * holds the fence), or with the database's failure.
   */
  public static CompletionStage<Void> beat(ActorSystem<?> system) {
    CoordinatorFence fence = from(system.settings().config());
    return CompletableFuture.runAsync(
        () -> {
          try {
            fence.beat();
          } catch (SQLException e) {
            throw new CompletionException(
                new IllegalStateException("cannot write the coordinator's heartbeat: " + e, e));
          }
        },
        system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /**
   * Writes the heartbeat row with this node's writer token (blocking JDBC); nothing on H2.
   *
   * @throws Fenced when the database refused it: another coordinator holds the fence
   */
  public void beat() throws SQLException {
    if (!postgres) {
      return;
    }
    try (Connection connection = JournalDatabase.connect(config);
        Statement statement = connection.createStatement()) {
      statement.executeUpdate(
          "UPDATE " + HEARTBEAT + " SET beats = beats + 1, at = now() WHERE id = 1");
    } catch (SQLException e) {
      if (REFUSED.equals(e.getSQLState())) {
        throw new Fenced(e.getMessage());
      }
      throw e;
    }
  }

  /** How many writes the database has refused since the fence was installed (0 on H2). */
  public long refusals() throws SQLException {
    if (!postgres) {
      return 0;
    }
    try (Connection connection = JournalDatabase.connect(config)) {
      return refusals(connection);
    }
  }

  /** How many writes the database behind {@code connection} has refused. */
  public static long refusals(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT last_value, is_called FROM " + REFUSALS)) {
      row.next();
      return row.getBoolean(2) ? row.getLong(1) : 0;
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  /**
   * Claims the fence for this node's writer token (blocking JDBC). A token that never held the
   * fence (the first coordinator start of a process) takes it over unconditionally and bumps the
   * epoch: the cluster singleton made this node the coordinator, so the former holder is dead or
   * frozen. A token that holds it keeps it (a coordinator restarted under supervision). A token
   * that held it and lost it is refused: a newer coordinator exists.
   *
   * @param node this node's name for the fence's messages (its cluster address)
   * @return the epoch this node holds; 0 on H2, which has no fence
   * @throws Fenced when a newer coordinator took the fence from this token
   */
  public long claim(String node) throws SQLException {
    if (!postgres) {
      return 0;
    }
    try (Connection connection = JournalDatabase.connect(config)) {
      connection.setAutoCommit(false);
      try {
        long epoch = claim(connection, node);
        connection.commit();
        return epoch;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private long claim(Connection connection, String node) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LOCAL lock_timeout = '" + CLAIM_LOCK_TIMEOUT + "'");
    }
    long epoch;
    String holder;
    String holderNode;
    // FOR UPDATE waits for the writes in flight (each holds the row FOR SHARE until it commits),
    // so no write of the former holder lands after this claim.
    try (Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT epoch, holder, node FROM " + FENCE + " WHERE id = 1 FOR UPDATE")) {
      if (!row.next()) {
        throw new IllegalStateException(
            "the coordinator fence is not installed: JournalDatabase.ensureSchema must run first");
      }
      epoch = row.getLong(1);
      holder = row.getString(2);
      holderNode = row.getString(3);
    }
    if (token.equals(holder)) {
      return epoch;
    }
    try (PreparedStatement held =
        connection.prepareStatement("SELECT 1 FROM " + EPOCHS + " WHERE holder = ?")) {
      held.setString(1, token);
      try (ResultSet row = held.executeQuery()) {
        if (row.next()) {
          throw new Fenced(epoch, holderNode);
        }
      }
    }
    long next = epoch + 1;
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE "
                + FENCE
                + " SET epoch = ?, holder = ?, node = ?, claimed_at = now() WHERE id = 1")) {
      update.setLong(1, next);
      update.setString(2, token);
      update.setString(3, node);
      update.executeUpdate();
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + EPOCHS
                + " (epoch, holder, node, claimed_at) VALUES (?, ?, ?, now())")) {
      insert.setLong(1, next);
      insert.setString(2, token);
      insert.setString(3, node);
      insert.executeUpdate();
    }
    return next;
  }

  /**
   * Creates the fence's tables and the journal tables' triggers if they do not exist yet, in one
   * transaction under an advisory lock (two nodes may run the schema step at once). Idempotent.
   */
  static void install(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_xact_lock(" + INSTALL_LOCK + ")");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + FENCE
              + " (id int PRIMARY KEY CHECK (id = 1), epoch bigint NOT NULL, holder text,"
              + " node text, claimed_at timestamptz)");
      statement.execute(
          "INSERT INTO " + FENCE + " (id, epoch) VALUES (1, 0) ON CONFLICT (id) DO NOTHING");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + EPOCHS
              + " (epoch bigint PRIMARY KEY, holder text NOT NULL UNIQUE, node text NOT NULL,"
              + " claimed_at timestamptz NOT NULL)");
      statement.execute("CREATE SEQUENCE IF NOT EXISTS " + REFUSALS);
      // The heartbeat's row is made with its table, before the fence's trigger guards it: a later
      // install (by any node) must not write to it.
      statement.execute(
          "DO $heartbeat$ BEGIN IF to_regclass('"
              + HEARTBEAT
              + "') IS NULL THEN CREATE TABLE "
              + HEARTBEAT
              + " (id int PRIMARY KEY CHECK (id = 1), beats bigint NOT NULL, at timestamptz);"
              + " INSERT INTO "
              + HEARTBEAT
              + " (id, beats) VALUES (1, 0); END IF; END $heartbeat$");
      statement.execute(CHECK_FUNCTION);
      statement.execute(INSTALL_TRIGGERS);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * The trigger function: a write to a journal table is refused unless no coordinator has claimed
   * the fence yet or the connection writes as its holder. It holds the fence's row FOR SHARE until
   * the write's transaction ends, so a claim (FOR UPDATE) waits for the writes in flight and every
   * later write sees the new holder.
   */
  private static final String CHECK_FUNCTION =
      """
      CREATE OR REPLACE FUNCTION public.verity_coordinator_fence_check() RETURNS trigger
      LANGUAGE plpgsql AS $fence$
      DECLARE
        fence record;
        writer text := nullif(current_setting('verity.writer', true), '');
      BEGIN
        SELECT epoch, holder, node INTO fence
          FROM public.verity_coordinator_fence WHERE id = 1 FOR SHARE;
        IF FOUND AND fence.holder IS NOT NULL AND fence.holder IS DISTINCT FROM writer THEN
          -- Counted outside the transaction: a sequence is not rolled back with it.
          PERFORM nextval('public.verity_coordinator_fence_refusals');
          RAISE EXCEPTION
            'fenced: the journal belongs to coordinator epoch % on % (writer %); % on % by writer % refused',
            fence.epoch, fence.node, fence.holder, TG_OP, TG_TABLE_NAME, coalesce(writer, '(none)')
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
      END
      $fence$
      """;

  /**
   * Puts the trigger on akka-persistence-jdbc's tables (see its schema/postgres script): the
   * journal's three must exist (the plugin's schema step ignores its own failures, so this is where
   * a missing table shows); durable_state gets it where it exists.
   */
  private static final String INSTALL_TRIGGERS =
      """
      DO $install$
      DECLARE
        journal_table text;
      BEGIN
        FOREACH journal_table IN ARRAY ARRAY['event_journal', 'event_tag', 'snapshot',
            'verity_coordinator_heartbeat', 'durable_state']
        LOOP
          IF to_regclass('public.' || journal_table) IS NULL THEN
            IF journal_table <> 'durable_state' THEN
              RAISE EXCEPTION 'the journal table public.% does not exist', journal_table;
            END IF;
          ELSIF NOT EXISTS (
              SELECT FROM pg_trigger
              WHERE tgname = 'verity_coordinator_fence'
                AND tgrelid = ('public.' || journal_table)::regclass) THEN
            EXECUTE format(
              'CREATE TRIGGER verity_coordinator_fence'
              ' BEFORE INSERT OR UPDATE OR DELETE ON public.%I'
              ' FOR EACH STATEMENT EXECUTE FUNCTION public.verity_coordinator_fence_check()',
              journal_table);
          END IF;
        END LOOP;
      END
      $install$
      """;

  /** The advisory lock key of the install step ("verity" in ASCII). */
  private static final long INSTALL_LOCK = 0x766572697479L;
}
