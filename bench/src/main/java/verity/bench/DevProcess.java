package verity.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import verity.deploy.Main;
import verity.deploy.run.RunSummary;

/**
 * A {@code verity} command ({@code dev} or {@code local}) run as a child JVM on this JVM's class
 * path, the way {@code bin/verity} runs it: its output goes to {@code NAME.out} in the work
 * directory and its JSON summary is read back when it exits.
 */
public final class DevProcess {
  private DevProcess() {}

  /** Starts the command; the caller waits for it. */
  public static Process start(Path dir, List<String> javaOptions, List<String> command)
      throws IOException {
    Files.createDirectories(dir);
    List<String> args = new ArrayList<>();
    args.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    args.addAll(List.of("-Xss2m", "-Dai.djl.offline=true"));
    args.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    args.addAll(javaOptions);
    args.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    args.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(args)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile());
    pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
    pb.environment().putIfAbsent("TORCH_CPP_LOG_LEVEL", "ERROR");
    return pb.start();
  }

  /**
   * Runs {@code command} (e.g. {@code dev --max-steps 50}) with a fresh data dir and a summary in
   * {@code dir}, waits for it and returns its summary.
   *
   * @throws IllegalStateException naming the output file when the command fails
   */
  public static RunSummary run(Path dir, List<String> command)
      throws IOException, InterruptedException {
    Path summary = dir.resolve("summary.json");
    List<String> full = new ArrayList<>(command);
    full.addAll(
        List.of(
            "--fresh",
            "--console-port",
            "-1",
            "--data-dir",
            dir.resolve("data").toString(),
            "--summary",
            summary.toString()));
    Process p = start(dir, List.of(), full);
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited with " + code + "; see " + dir.resolve("out.txt"));
    }
    return RunSummary.read(summary);
  }

  /**
   * Runs {@code dev} with {@code flags} and {@code settings} (HOCON, written to the run's {@code
   * bench.conf}) in the work directory {@code label} of this bench run, and logs one line of its
   * outcome: steps, time, pass@1 at the start and the end on the split the summary names.
   */
  public static RunSummary runDev(BenchRun run, String label, String settings, List<String> flags)
      throws IOException, InterruptedException {
    Path dir = run.workDir().resolve(label);
    Files.createDirectories(dir);
    Path conf = Files.writeString(dir.resolve("bench.conf"), settings);
    List<String> command = new ArrayList<>(List.of("dev", "--config", conf.toString()));
    command.addAll(flags);
    RunSummary s = run(dir, command);
    run.log()
        .printf(
            Locale.ROOT,
            "%s: %d steps, %.1f s, pass@1 %.3f -> %.3f on the %s split, rejected stale %d%n",
            label,
            s.steps(),
            s.wallSeconds(),
            s.initialPass(),
            s.finalPass(),
            s.finalSplit(),
            s.trajectories().rejectedStale());
    return s;
  }
}
