package verity.bench;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What a benchmark is run with.
 *
 * @param quick the short version (the whole quick run must finish in under 5 minutes on 2 cores)
 * @param workDir a directory of its own for data dirs, logs and child-process output
 * @param log where progress goes (stdout); the figures themselves are returned, not printed
 */
public record BenchRun(boolean quick, Path workDir, PrintStream log) {}
