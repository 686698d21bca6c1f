package verity.bench.serialization;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import verity.actors.protocol.Trajectory;
import verity.bench.BenchRun;
import verity.bench.Benchmark;
import verity.bench.report.Figure;
import verity.bench.report.Format;

/**
 * Kryo, as the cluster configures it, against Java serialization and Jackson CBOR: one encode and
 * decode of one long trajectory, measured with JMH in a forked JVM ({@link
 * SerializationBenchmarks}). The shard gradient row was dropped: gradients now travel over the
 * weight plane, not in actor messages. Each row's ratio is Kryo's speed over the other format's
 * (above 1: Kryo is faster); the value and baseline give time per round trip with JMH's 99.9%
 * error, and the encoded size. Java serialization runs on {@link SerializableMirror}, since
 * Verity's messages are not {@code Serializable}.
 */
public final class SerializationBench implements Benchmark {

  /** JMH's iteration plan for one mode of the run. */
  private record Plan(int warmups, TimeValue warmupTime, int measurements, TimeValue measureTime) {}

  private static final Plan QUICK =
      new Plan(2, TimeValue.milliseconds(500), 3, TimeValue.milliseconds(400));
  private static final Plan FULL = new Plan(3, TimeValue.seconds(2), 5, TimeValue.seconds(2));

  /** A fixed heap for the forked JVM, so the figures do not depend on the runner's own -Xmx. */
  private static final String FORK_HEAP = "-Xmx1g";

  /** The property the deploy module's logback.xml takes its log file from. */
  private static final String LOG_FILE = "verity.log.file";

  @Override
  public String name() {
    return "serialization";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    Trajectory trajectory = Messages.longTrajectory();
    String logFile = run.workDir().resolve("verity.log").toString();
    // The serializer's actor system brings up SLF4J, and the deploy module's logback.xml would then
    // open verity.log in the working directory; unless the runner chose a file, it goes in ours.
    if (System.getProperty(LOG_FILE) == null) {
      System.setProperty(LOG_FILE, logFile);
    }
    Map<String, Integer> bytes = new HashMap<>();
    try (Codecs codecs = new Codecs()) {
      codecs.checkRoundTrips(trajectory);
      bytes.put("trajectoryKryo", codecs.kryoEncode(trajectory).length);
      bytes.put("trajectoryJava", Codecs.javaEncode(SerializableMirror.of(trajectory)).length);
      bytes.put("trajectoryCbor", codecs.cborEncode(trajectory).length);
    }

    Plan plan = run.quick() ? QUICK : FULL;
    Options options =
        new OptionsBuilder()
            .include(Pattern.quote(SerializationBenchmarks.class.getName()) + "\\..*")
            .forks(1)
            .warmupIterations(plan.warmups())
            .warmupTime(plan.warmupTime())
            .measurementIterations(plan.measurements())
            .measurementTime(plan.measureTime())
            .threads(1)
            .jvmArgs(FORK_HEAP, "-Dai.djl.offline=true", "-D" + LOG_FILE + "=" + logFile)
            .shouldFailOnError(true)
            .result(run.workDir().resolve("jmh-result.json").toString())
            .resultFormat(ResultFormatType.JSON)
            .build();
    Collection<RunResult> results =
        new Runner(options, OutputFormatFactory.createFormatInstance(run.log(), VerboseMode.NORMAL))
            .run();
    Map<String, Result<?>> scores = new HashMap<>();
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      scores.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), r.getPrimaryResult());
    }

    String trajectoryName =
        "long trajectory (" + Format.count(trajectory.tokens().length) + " tokens)";
    List<Figure> figures = new ArrayList<>();
    for (Rival rival : Rival.values()) {
      figures.add(row(trajectoryName, "trajectory", rival, scores, bytes));
    }
    return figures;
  }

  /** A format Kryo is compared with, by the suffix of its benchmark methods. */
  private enum Rival {
    JAVA("Java", "Java serialization", "Java serialization (Serializable mirror)"),
    CBOR("Cbor", "Jackson CBOR", "Jackson CBOR");

    final String suffix;
    final String label;
    final String inName;

    Rival(String suffix, String label, String inName) {
      this.suffix = suffix;
      this.label = label;
      this.inName = inName;
    }
  }

  private static Figure row(
      String message,
      String prefix,
      Rival rival,
      Map<String, Result<?>> scores,
      Map<String, Integer> bytes) {
    String name = "serialization, " + message + ", encode+decode: Kryo vs " + rival.inName;
    Result<?> kryo = scores.get(prefix + "Kryo");
    Result<?> baseline = scores.get(prefix + rival.suffix);
    if (kryo == null || baseline == null) {
      return Figure.failed(
          name, "JMH returned no result for " + prefix + " in Kryo or " + rival.label);
    }
    return Figure.of(
        name,
        timing(kryo, bytes.get(prefix + "Kryo")),
        timing(baseline, bytes.get(prefix + rival.suffix)) + " (" + rival.label + ")",
        baseline.getScore() / kryo.getScore());
  }

  /** E.g. "41.2 ± 1.3 µs/op, 52,311 B". */
  private static String timing(Result<?> r, int bytes) {
    String error = Double.isFinite(r.getScoreError()) ? " ± " + micros(r.getScoreError()) : "";
    return micros(r.getScore())
        + error
        + " "
        + r.getScoreUnit().replace("us/", "µs/")
        + ", "
        + Format.count(bytes)
        + " B";
  }

  /** Microseconds with three significant figures or more. */
  private static String micros(double us) {
    return String.format(Locale.ROOT, us < 10 ? "%.2f" : us < 100 ? "%.1f" : "%,.0f", us);
  }
}
