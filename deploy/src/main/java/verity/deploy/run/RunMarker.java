package verity.deploy.run;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * {@code run.properties} in a data directory: the suite of the run whose journal and checkpoints
 * lie there, so that a run of another suite is refused with a clear message instead of resuming.
 */
public final class RunMarker {
  static final String FILE = "run.properties";

  private RunMarker() {}

  /** The suite of the run in {@code dataDir}, or null when it holds none. */
  public static String suite(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    return p.getProperty("suite");
  }

  public static void write(Path dataDir, String suite) throws IOException {
    Properties p = new Properties();
    p.setProperty("suite", suite);
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
