package verity.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verity.bench.report.Figure;
import verity.bench.report.Format;

/**
 * Memory of a {@code verity dev} run (arith, defaults) over 20 minutes (quick: 45 s): the process's
 * resident set, read from {@code /proc/PID/status} every 5 s, and the Java heap after each
 * collection, from the JVM's GC log. The baseline is the first sample after the warm-up (the end of
 * minute 2; quick: 20 s); the figure is the last sample, and the ratio their quotient, so growth in
 * percent is (ratio − 1) × 100. Steady training should hold both flat.
 */
public final class MemoryBench implements Benchmark {
  private static final Pattern GC_LINE =
      Pattern.compile("\\[(\\d+[.,]\\d+)s\\].*Pause.*?(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  @Override
  public String name() {
    return "memory";
  }

  /** One sample: seconds since start, resident set and the last heap-after-GC figure, bytes. */
  record Sample(double seconds, long rssBytes, long heapAfterGcBytes) {}

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    double minutes = run.quick() ? 0.75 : 20;
    double warmUp = run.quick() ? 20 : 120;
    double every = run.quick() ? 10 : 60;
    Path dir = run.workDir();
    Path gcLog = dir.resolve("gc.log");
    Process p =
        DevProcess.start(
            dir,
            List.of("-Xlog:gc:file=" + gcLog),
            List.of(
                "dev",
                "--seed",
                "1",
                "--fresh",
                "--max-minutes",
                Double.toString(minutes),
                "--console-port",
                "-1",
                "--data-dir",
                dir.resolve("data").toString()));
    long t0 = System.nanoTime();
    List<Sample> samples = new ArrayList<>();
    double nextReport = every;
    while (p.isAlive()) {
      double t = (System.nanoTime() - t0) / 1e9;
      long rss = rssBytes(p.pid());
      if (rss > 0) {
        samples.add(new Sample(t, rss, lastHeapAfterGc(gcLog)));
      }
      if (t >= nextReport && !samples.isEmpty()) {
        Sample s = samples.get(samples.size() - 1);
        run.log()
            .printf(
                Locale.ROOT,
                "  %5.0f s: RSS %s, heap after GC %s%n",
                s.seconds(),
                Format.mib(s.rssBytes()),
                Format.mib(s.heapAfterGcBytes()));
        nextReport += every;
      }
      p.waitFor(5, TimeUnit.SECONDS);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "verity dev exited with " + p.exitValue() + "; see " + dir.resolve("out.txt"));
    }
    Sample base = null;
    for (Sample s : samples) {
      if (s.seconds() >= warmUp) {
        base = s;
        break;
      }
    }
    if (base == null || samples.size() < 2) {
      throw new IllegalStateException("the run ended before its warm-up of " + warmUp + " s");
    }
    Sample last = samples.get(samples.size() - 1);
    String span =
        String.format(
            Locale.ROOT,
            "memory of a %s-minute dev run (arith): %s from %.0f s to %.0f s",
            run.quick() ? "0.75" : "20",
            "%s",
            base.seconds(),
            last.seconds());
    String peak = Format.mib(samples.stream().mapToLong(Sample::rssBytes).max().orElse(0));
    return List.of(
        Figure.of(
            String.format(span, "resident set (RSS)"),
            Format.mib(last.rssBytes()) + " (peak " + peak + ")",
            Format.mib(base.rssBytes()),
            (double) last.rssBytes() / base.rssBytes()),
        Figure.of(
            String.format(
                span,
                "Java heap after young collections (old-generation garbage counts until G1 marks"
                    + " it)"),
            Format.mib(last.heapAfterGcBytes()),
            Format.mib(base.heapAfterGcBytes()),
            base.heapAfterGcBytes() > 0
                ? (double) last.heapAfterGcBytes() / base.heapAfterGcBytes()
                : Double.NaN));
  }

  /** VmRSS of a process, in bytes; 0 when it cannot be read (the process just ended). */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /** The heap after the latest collection in a {@code -Xlog:gc} file, bytes; 0 before the first. */
  static long lastHeapAfterGc(Path gcLog) {
    TreeMap<Double, Long> after = new TreeMap<>();
    try {
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = GC_LINE.matcher(line);
        if (m.find()) {
          after.put(
              Double.parseDouble(m.group(1).replace(',', '.')), Long.parseLong(m.group(3)) << 20);
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return after.isEmpty() ? 0 : after.lastEntry().getValue();
  }
}
