package verity.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.deploy.run.RunSummary;

/**
 * The cost of real remoting: trajectories/s of {@code verity local} (one JVM per node: a learner
 * node, a reward node and two rollout nodes of one worker each, on TCP and on Aeron UDP) against
 * {@code verity dev} with the same two workers in one JVM, each run for the same number of learner
 * steps on arith with the same seed. The dev baseline runs first and last, and its mean is the
 * denominator, so that a machine that warms up or slows down over the benchmark shows as a spread
 * between the two rather than as a ratio. On one machine with few cores this measures overhead, not
 * a speed-up: the nodes share the cores that dev has to itself. Not part of the default run (it
 * takes about 10 minutes); select it with {@code verity bench --only cluster}.
 */
public final class ClusterBench implements Benchmark {

  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    int steps = run.quick() ? 60 : 300;
    RunSummary first = run(run, "dev-first", steps, "dev", "--workers", "2");
    RunSummary tcp = run(run, "local-tcp", steps, "local", "--rollout", "2", "--transport", "tcp");
    RunSummary aeron =
        run(run, "local-aeron", steps, "local", "--rollout", "2", "--transport", "aeron-udp");
    RunSummary last = run(run, "dev-last", steps, "dev", "--workers", "2");
    double baseline = (first.trajectoriesPerSecond() + last.trajectoriesPerSecond()) / 2;
    String devs =
        Format.count(baseline)
            + " traj/s (dev, 1 JVM; first "
            + Format.count(first.trajectoriesPerSecond())
            + ", last "
            + Format.count(last.trajectoriesPerSecond())
            + ")";
    List<Figure> figures = new ArrayList<>();
    for (var r : List.of(new Object[] {"TCP", tcp}, new Object[] {"Aeron UDP", aeron})) {
      RunSummary s = (RunSummary) r[1];
      figures.add(
          Figure.of(
              String.format(
                  Locale.ROOT,
                  "cluster: trajectories/s of local (5 JVMs, %s) ÷ dev (1 JVM), arith, %d steps, 2"
                      + " rollout workers",
                  r[0],
                  steps),
              Format.count(s.trajectoriesPerSecond())
                  + " traj/s, lost "
                  + s.trajectories().lost()
                  + ", duplicates "
                  + s.trajectories().duplicates(),
              devs,
              s.trajectoriesPerSecond() / baseline));
    }
    return figures;
  }

  private static RunSummary run(BenchRun run, String label, int steps, String... command)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of("--suite", "arith", "--seed", "1", "--max-steps", Integer.toString(steps)));
    run.log().println("  " + label + ": " + String.join(" ", args));
    return DevProcess.run(run.workDir().resolve(label), args);
  }
}
