package verity.reward.sandbox;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import verity.actors.config.ConfigChecks;
import verity.envs.CheckPlan;

/**
 * {@code verity.reward.sandbox}: where the sandbox's tools are, whom it runs as on a root node, the
 * room a program gets to write, and the ceilings on every program's limits.
 */
public record SandboxSettings(
    Path bwrap,
    Path python,
    Path prlimit,
    Path setpriv,
    int runAsUid,
    int runAsGid,
    long tmpfsBytes,
    int openFiles,
    Duration killGrace,
    List<Path> extraReadOnlyPaths,
    CheckPlan.Limits maxLimits) {

  private static final String ROOT = "verity.reward.sandbox";

  public SandboxSettings {
    extraReadOnlyPaths = List.copyOf(extraReadOnlyPaths);
  }

  public static SandboxSettings from(Config config) {
    String max = ROOT + ".max-limits";
    List<Path> extra =
        config.getStringList(ROOT + ".extra-read-only-paths").stream()
            .map(p -> absolute(ROOT + ".extra-read-only-paths", p))
            .toList();
    Path python = absolute(ROOT + ".python", config.getString(ROOT + ".python"));
    if (!python.startsWith("/usr") && extra.stream().noneMatch(python::startsWith)) {
      throw new ConfigException.BadValue(
          ROOT + ".python",
          "expected a path under /usr or under one of "
              + ROOT
              + ".extra-read-only-paths (the sandbox sees nothing else), got "
              + python);
    }
    return new SandboxSettings(
        absolute(ROOT + ".bwrap", config.getString(ROOT + ".bwrap")),
        python,
        absolute(ROOT + ".prlimit", config.getString(ROOT + ".prlimit")),
        absolute(ROOT + ".setpriv", config.getString(ROOT + ".setpriv")),
        ConfigChecks.positiveInt(config, ROOT + ".run-as-uid"),
        ConfigChecks.positiveInt(config, ROOT + ".run-as-gid"),
        positiveBytes(config, ROOT + ".tmpfs-size"),
        ConfigChecks.intAtLeast(config, ROOT + ".open-files", 16),
        ConfigChecks.positiveDuration(config, ROOT + ".kill-grace"),
        extra,
        new CheckPlan.Limits(
            ConfigChecks.positiveDuration(config, max + ".wall-clock"),
            ConfigChecks.positiveDuration(config, max + ".cpu"),
            positiveBytes(config, max + ".address-space"),
            ConfigChecks.positiveInt(config, max + ".processes"),
            positiveBytes(config, max + ".file-size"),
            Math.toIntExact(positiveBytes(config, max + ".output"))));
  }

  /** The most of {@code asked} this sandbox allows: each limit capped by {@link #maxLimits}. */
  public CheckPlan.Limits cap(CheckPlan.Limits asked) {
    CheckPlan.Limits m = maxLimits;
    return new CheckPlan.Limits(
        min(asked.wallClock(), m.wallClock()),
        min(asked.cpu(), m.cpu()),
        Math.min(asked.addressSpaceBytes(), m.addressSpaceBytes()),
        Math.min(asked.processes(), m.processes()),
        Math.min(asked.fileBytes(), m.fileBytes()),
        Math.min(asked.outputBytes(), m.outputBytes()));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static long positiveBytes(Config config, String path) {
    long v = config.getBytes(path);
    if (v <= 0) {
      throw new ConfigException.BadValue(path, "expected a size > 0, got " + v);
    }
    return v;
  }

  private static Path absolute(String key, String value) {
    Path p = Path.of(value);
    if (!p.isAbsolute()) {
      throw new ConfigException.BadValue(key, "expected an absolute path, got '" + value + "'");
    }
    return p.normalize();
  }
}
