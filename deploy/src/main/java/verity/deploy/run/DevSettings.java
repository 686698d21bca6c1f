package verity.deploy.run;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import verity.actors.config.ConfigChecks;

/** {@code verity.dev} and the run-wide keys the dev command needs. */
public record DevSettings(
    String suite,
    long seed,
    Path dataDir,
    double maxMinutes,
    double targetPass,
    Optional<Path> summary,
    Optional<Path> export,
    Duration finalEvaluationTimeout) {

  public static DevSettings from(Config config) {
    String summary = config.getString("verity.dev.summary");
    String export = config.getString("verity.dev.export");
    return new DevSettings(
        config.getString("verity.suite"),
        config.getLong("verity.seed"),
        Path.of(config.getString("verity.data-dir")),
        ConfigChecks.doubleIn(config, "verity.dev.max-minutes", 0, 1e6),
        ConfigChecks.doubleIn(config, "verity.dev.target-pass", 0, 1),
        summary.isBlank() ? Optional.empty() : Optional.of(Path.of(summary)),
        export.isBlank() ? Optional.empty() : Optional.of(Path.of(export)),
        ConfigChecks.positiveDuration(config, "verity.dev.final-evaluation-timeout"));
  }
}
