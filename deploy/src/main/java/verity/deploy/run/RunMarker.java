package verity.deploy.run;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * {@code run.properties} in a data directory: the suite of the run whose journal and checkpoints
 * lie there, and the format its journal is written in, so that a run of another suite, or a journal
 * an older Verity wrote, is refused with a clear message instead of resuming.
 */
public final class RunMarker {
  static final String FILE = "run.properties";

  /**
   * The format of the journal and checkpoints this Verity writes. 2: lease claims, epochs of
   * versions, confirmed settlements (a marker without one was written by format 1).
   */
  public static final int JOURNAL_FORMAT = 2;

  /** What a data directory's marker says. */
  public record Marker(String suite, int journalFormat) {}

  private RunMarker() {}

  /** The marker of the run in {@code dataDir}, or null when it holds none. */
  public static Marker read(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    String format = p.getProperty("journal-format", "1");
    try {
      return new Marker(p.getProperty("suite"), Integer.parseInt(format.trim()));
    } catch (NumberFormatException e) {
      throw new IOException(file + ": journal-format is not a number: " + format);
    }
  }

  public static void write(Path dataDir, String suite) throws IOException {
    Properties p = new Properties();
    p.setProperty("suite", suite);
    p.setProperty("journal-format", Integer.toString(JOURNAL_FORMAT));
    Path tmp = Files.createTempFile(dataDir, ".run", ".properties");
    try (Writer out = Files.newBufferedWriter(tmp)) {
      p.store(out, "the run whose journal and checkpoints are in this directory");
    }
    Files.move(
        tmp,
        dataDir.resolve(FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
