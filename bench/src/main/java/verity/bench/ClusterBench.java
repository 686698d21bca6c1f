package verity.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import verity.deploy.Main;
import verity.deploy.RunSummary;

/**
 * The cost of real remoting: trajectories/s of {@code verity local} (one JVM per node: a learner
 * node, a reward node and two rollout nodes of one worker each, on TCP and on Aeron UDP) against
 * {@code verity dev} with the same two workers in one JVM, each run for the same number of learner
 * steps on the same suite and seed. The dev baseline runs first and last, and its mean is the
 * denominator, so that a machine that warms up or slows down over the benchmark shows as a spread
 * between the two rather than as a ratio. On one machine with few cores this measures overhead, not
 * a speed-up: the nodes share the cores that dev has to itself.
 *
 * <p>Run with {@code bench/run cluster [steps] [suite]} (default 300 steps of arith).
 */
public final class ClusterBench {
  private ClusterBench() {}

  record Run(String label, RunSummary summary) {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    String suite = args.length > 1 ? args[1] : "arith";
    Path work = Files.createTempDirectory("verity-cluster-bench");
    List<Run> runs = new ArrayList<>();
    runs.add(run(work, "dev (first)", steps, suite, "dev", "--workers", "2"));
    runs.add(run(work, "local tcp", steps, suite, "local", "--rollout", "2", "--transport", "tcp"));
    runs.add(
        run(
            work,
            "local aeron-udp",
            steps,
            suite,
            "local",
            "--rollout",
            "2",
            "--transport",
            "aeron-udp"));
    runs.add(run(work, "dev (last)", steps, suite, "dev", "--workers", "2"));
    double baseline =
        (runs.get(0).summary().trajectoriesPerSecond()
                + runs.get(3).summary().trajectoriesPerSecond())
            / 2;

    System.out.printf(
        Locale.ROOT,
        "%n%s, %d steps, 2 rollout workers; %d cores%n",
        suite,
        steps,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "%-16s %12s %12s %10s %8s %6s %12s%n",
        "run",
        "traj/s",
        "tokens/s",
        "wall s",
        "lost",
        "dup",
        "vs dev");
    for (Run r : runs) {
      RunSummary s = r.summary();
      System.out.printf(
          Locale.ROOT,
          "%-16s %,12.0f %,12.0f %10.1f %8d %6d %12.3f%n",
          r.label(),
          s.trajectoriesPerSecond(),
          s.tokensPerSecond(),
          s.wallSeconds(),
          s.trajectories().lost(),
          s.trajectories().duplicates(),
          s.trajectoriesPerSecond() / baseline);
    }
  }

  private static Run run(Path work, String label, int steps, String suite, String... command)
      throws IOException, InterruptedException {
    Path dir = work.resolve(label.replaceAll("[^a-z-]", ""));
    Path summary = dir.resolve("summary.json");
    List<String> args = new ArrayList<>();
    args.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    args.addAll(List.of("-Xss2m", "-Dai.djl.offline=true"));
    args.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    args.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    args.addAll(List.of(command));
    args.addAll(
        List.of(
            "--suite",
            suite,
            "--seed",
            "1",
            "--max-steps",
            Integer.toString(steps),
            "--data-dir",
            dir.resolve("data").toString(),
            "--summary",
            summary.toString()));
    System.out.println("running " + label + ": " + String.join(" ", List.of(command)));
    Process p =
        new ProcessBuilder(args)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolveSibling(dir.getFileName() + ".out").toFile())
            .start();
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException(label + " exited with " + code + "; see " + work);
    }
    return new Run(label, RunSummary.read(summary));
  }
}
