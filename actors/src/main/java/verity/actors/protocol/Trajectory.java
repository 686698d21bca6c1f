package verity.actors.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;

/**
 * One sampled completion of one task: the prompt and completion tokens, the behaviour policy's
 * log-probability of every completion token, and which policy version produced which tokens.
 *
 * @param groupSize how many samples of the same task form its group (GRPO normalizes within it)
 * @param worker the rollout worker that generated it, for provenance and metrics
 */
public record Trajectory(
    TrajectoryId id,
    String suite,
    TaskId task,
    int groupSize,
    int[] prompt,
    int[] completion,
    float[] logProbs,
    List<Segment> segments,
    String worker) {

  public Trajectory {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(task, "task");
    if (completion.length != logProbs.length) {
      throw new IllegalArgumentException(
          "trajectory "
              + id
              + ": "
              + completion.length
              + " completion tokens but "
              + logProbs.length
              + " log-probs");
    }
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("trajectory " + id + " has no policy-version segment");
    }
    segments = List.copyOf(segments);
  }

  /** The oldest policy version that produced any of its tokens: what staleness is measured on. */
  public PolicyVersion oldestVersion() {
    PolicyVersion oldest = segments.get(0).version();
    for (Segment s : segments) {
      if (oldest.isNewerThan(s.version())) {
        oldest = s.version();
      }
    }
    return oldest;
  }

  /** The behaviour version of the completion token at {@code index}. */
  public PolicyVersion versionAt(int index) {
    for (Segment s : segments) {
      if (index >= s.start() && index < s.start() + s.length()) {
        return s.version();
      }
    }
    return segments.get(segments.size() - 1).version();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Trajectory t
        && id.equals(t.id)
        && suite.equals(t.suite)
        && task.equals(t.task)
        && groupSize == t.groupSize
        && Arrays.equals(prompt, t.prompt)
        && Arrays.equals(completion, t.completion)
        && Arrays.equals(logProbs, t.logProbs)
        && segments.equals(t.segments)
        && worker.equals(t.worker);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, task, Arrays.hashCode(completion));
  }

  @Override
  public String toString() {
    return "Trajectory[" + id + " " + task + " " + segments + "]";
  }
}
