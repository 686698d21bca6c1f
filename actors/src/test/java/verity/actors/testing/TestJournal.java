package verity.actors.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The databases Verity's journal runs on, for journal tests parametrized over both (JUnit's {@code
 * EnumSource} over this enum): open one per test, hand its {@link Database#config()} to {@link
 * TestNodes#withJournal(String, java.nio.file.Path, Config)}, close it after the node.
 */
public enum TestJournal {
  /** The embedded H2 file under the node's data-dir (the default). */
  H2,
  /** A fresh database on the test server (see {@link TestPostgres}). */
  POSTGRESQL;

  /** An empty journal database of this kind; closing it drops it. */
  public Database open() {
    return switch (this) {
      case H2 -> new H2Database();
      case POSTGRESQL -> TestPostgres.createDatabase();
    };
  }

  /** An open journal database. */
  public interface Database extends AutoCloseable {
    /** The settings that point a node's journal at this database. */
    Config config();

    @Override
    void close();
  }

  /** H2 needs no settings: its file lives, and goes, with the test's data-dir. */
  private record H2Database() implements Database {
    @Override
    public Config config() {
      return ConfigFactory.empty();
    }

    @Override
    public void close() {}
  }
}
