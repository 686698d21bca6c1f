package verity.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What {@code --summary FILE} writes at the end of a run, as JSON. {@code resumedFromVersion} is
 * the checkpoint's version a restarted run continued from, null for a fresh run.
 */
public record RunSummary(
    String suite,
    long seed,
    long steps,
    long policyVersion,
    double initialPass,
    double finalPass,
    String evaluationSet,
    double wallSeconds,
    double tokensPerSecond,
    double trajectoriesPerSecond,
    int warmStartSteps,
    String stopReason,
    Long resumedFromVersion,
    Trajectories trajectories,
    List<CurvePoint> curve) {

  /**
   * Counts of this process, from the workers, verifiers and the learner; {@code duplicates} counts
   * leases the learner's journal shows consumed by two surviving steps over the whole run.
   */
  public record Trajectories(
      long generated, long scored, long consumed, long rejectedStale, long duplicates) {}

  /** One evaluation: the learner step, seconds since start, and greedy pass@1. */
  public record CurvePoint(long step, double seconds, double pass) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Writes atomically: a reader never sees half a file. */
  public void writeTo(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".summary", ".json");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static RunSummary read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), RunSummary.class);
  }
}
