package verity.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** A one-line description of the machine a run measured on: cores, CPU model, memory and JVM. */
public final class Machine {
  private Machine() {}

  public static String describe() {
    int cores = Runtime.getRuntime().availableProcessors();
    String cpu = cpuModel().orElse(System.getProperty("os.arch"));
    String memory = memoryGiB().map(g -> String.format(Locale.ROOT, ", %.0f GiB", g)).orElse("");
    return String.format(
        Locale.ROOT,
        "%d cores %s%s, JDK %s",
        cores,
        cpu,
        memory,
        System.getProperty("java.version"));
  }

  private static Optional<String> cpuModel() {
    return procLine(Path.of("/proc/cpuinfo"), "model name")
        .map(l -> l.substring(l.indexOf(':') + 1).trim().replaceAll("\\s+", " "))
        .map(s -> s.replace("(R)", "").replace("(TM)", "").replace(" CPU", ""));
  }

  private static Optional<Double> memoryGiB() {
    return procLine(Path.of("/proc/meminfo"), "MemTotal")
        .map(l -> l.replaceAll("[^0-9]", ""))
        .filter(s -> !s.isEmpty())
        .map(kb -> Long.parseLong(kb) / (1024.0 * 1024.0));
  }

  private static Optional<String> procLine(Path file, String prefix) {
    try (var lines = Files.lines(file)) {
      return lines.filter(l -> l.startsWith(prefix)).findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
