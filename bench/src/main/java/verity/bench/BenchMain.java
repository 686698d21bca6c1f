package verity.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import verity.bench.report.Figure;
import verity.bench.report.Machine;
import verity.bench.report.ResultsTable;
import verity.bench.serialization.SerializationBench;

/**
 * {@code verity bench [--quick] [--seeds N] [--out DIR] [--only NAME,...]}: runs the benchmarks one
 * after the other (never side by side: each figure and its baseline share the machine alone) and
 * writes the Markdown table to {@code DIR/quick.md} or {@code DIR/full.md} (default {@code
 * bench/results}; a run with {@code --only} to a file named after its benchmarks, see {@link
 * #resultsFile}). A benchmark that fails becomes a failed row and the run goes on; the exit code is
 * then 1. Learning figures run once per seed, 1..N ({@code --seeds N}; quick 2, full 5).
 */
public final class BenchMain {
  private BenchMain() {}

  /** Every benchmark in the order the run takes them: the short ones first, memory last. */
  static List<Benchmark> all() {
    return List.of(
        new SerializationBench(),
        new VerifierBench(),
        new BroadcastBench(),
        new DeltaBench(),
        new ControlPlaneBench(),
        new RolloutOverheadBench(),
        new AsyncSyncBench(),
        new LearningSpeedBench(),
        new ArealControlBench(),
        new MemoryBench());
  }

  /** Benchmarks that run only when {@code --only} names them. */
  static List<Benchmark> extra() {
    return List.of(new ClusterBench(), new LmScaleBench(), new LearnerStepBench());
  }

  public static void main(String[] args) throws Exception {
    verity.deploy.Main.prepareJvm(); // as every verity command: see there
    boolean quick = false;
    Integer seeds = null;
    Path out = Path.of(System.getProperty("verity.bench.root", "."), "bench", "results");
    Set<String> only = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--seeds" -> seeds = seeds(value(args, ++i, "--seeds"));
        case "--only" -> only.addAll(Arrays.asList(value(args, ++i, "--only").split(",")));
        case "-h", "--help" -> {
          System.out.println(usage());
          return;
        }
        default -> fail("unknown argument '" + args[i] + "'");
      }
    }
    List<Benchmark> chosen = new ArrayList<>();
    Set<String> known = new LinkedHashSet<>();
    for (Benchmark b : all()) {
      known.add(b.name());
      if (only.isEmpty() || only.contains(b.name())) {
        chosen.add(b);
      }
    }
    for (Benchmark b : extra()) {
      known.add(b.name());
      if (only.contains(b.name())) {
        chosen.add(b);
      }
    }
    for (String name : only) {
      if (!known.contains(name)) {
        fail("unknown benchmark '" + name + "' (known: " + String.join(", ", known) + ")");
      }
    }
    Files.createDirectories(out);
    Path work = Files.createTempDirectory("verity-bench");
    // The deploy module's logback.xml writes verity.log to the working directory unless told.
    if (System.getProperty("verity.log.file") == null) {
      System.setProperty("verity.log.file", work.resolve("verity.log").toString());
    }
    int seedCount = seeds != null ? seeds : quick ? BenchRun.QUICK_SEEDS : BenchRun.FULL_SEEDS;
    String machine = Machine.describe();
    String commit = commit(); // what is measured: the tree at the start, not at the end
    Instant started = Instant.now();
    System.out.printf(
        "verity bench (%s, learning figures over %d seeds) on %s; work files in %s%n",
        quick ? "quick" : "full", seedCount, machine, work);
    List<Figure> figures = new ArrayList<>();
    boolean failed = false;
    for (Benchmark b : chosen) {
      long t0 = System.nanoTime();
      System.out.printf("%n== %s ==%n", b.name());
      Path dir = Files.createDirectories(work.resolve(b.name()));
      List<Figure> got;
      try {
        got = b.run(new BenchRun(quick, seedCount, dir, System.out));
      } catch (Exception | Error e) {
        e.printStackTrace(System.out);
        got = List.of(Figure.failed(b.name(), String.valueOf(e.getMessage())));
      }
      for (Figure f : got) {
        failed |= f.verdict() == Figure.Verdict.FAILED;
        System.out.printf(
            "  %s: %s (baseline %s, ratio %.3f)%n", f.name(), f.value(), f.baseline(), f.ratio());
      }
      figures.addAll(got);
      System.out.printf(
          "== %s took %d s ==%n", b.name(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }
    Duration took = Duration.between(started, Instant.now());
    Path file = out.resolve(resultsFile(quick, only));
    Files.writeString(
        file,
        ResultsTable.markdown(figures, quick, machine, started, took, commit),
        StandardCharsets.UTF_8);
    System.out.printf(
        "%nwrote %s (%d figures, %d min %d s)%n",
        file, figures.size(), took.toMinutes(), took.toSecondsPart());
    System.exit(failed ? 1 : 0);
  }

  /**
   * The table's file name: {@code full.md} or {@code quick.md} for the whole set, the chosen
   * benchmarks' names for a run with {@code --only} ({@code learning-speed.md}, {@code
   * areal-control-quick.md}), so that a partial run never overwrites the whole set's table.
   */
  static String resultsFile(boolean quick, Set<String> only) {
    if (only.isEmpty()) {
      return quick ? "quick.md" : "full.md";
    }
    return String.join("+", only) + (quick ? "-quick" : "") + ".md";
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      fail(flag + " needs a value");
    }
    return args[i];
  }

  private static int seeds(String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fail("--seeds needs a whole number of at least 1, was '" + value + "'");
    return 0;
  }

  private static void fail(String message) {
    System.err.println("verity bench: " + message);
    System.err.println(usage());
    System.exit(2);
  }

  private static String usage() {
    return "usage: verity bench [--quick] [--seeds N] [--out DIR] [--only NAME,...]";
  }

  /** The short commit id, with "-dirty" when tracked files differ from it. */
  private static String commit() {
    String id = git("rev-parse", "--short", "HEAD");
    if (id.isEmpty()) {
      return "unknown";
    }
    return git("status", "--porcelain", "--untracked-files=no").isEmpty() ? id : id + "-dirty";
  }

  /** The output of a git command in the project, or "" when git fails. */
  private static String git(String... args) {
    try {
      List<String> command = new ArrayList<>(List.of("git"));
      command.addAll(List.of(args));
      Process p =
          new ProcessBuilder(command)
              .directory(Path.of(System.getProperty("verity.bench.root", ".")).toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? s : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
