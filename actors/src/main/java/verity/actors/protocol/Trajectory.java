package verity.actors.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;

/**
 * One episode of one task: the prompt, then every token the model was fed after it in order (the
 * policy's actions, the environment's observations, padding), which of those the policy sampled,
 * the behaviour log-probability of each sampled token, and which policy version produced which
 * tokens. Replaying {@code prompt + tokens} through the model reproduces the states the policy
 * sampled from, so the learner's recomputed log-probs line up with {@code logProbs}.
 *
 * @param groupSize how many samples of the same task form its group (GRPO normalizes within it)
 * @param policyMask true where the policy sampled the token (it has a log-prob and is trained on)
 * @param logProbs behaviour log-prob of each token; 0 where {@code policyMask} is false
 * @param completion the text the policy wrote, each turn's action decoded by the worker with the
 *     policy's tokenizer up to its end-of-sequence, turns one after another: what a verifier
 *     checks, so verifiers need no tokenizer and suites never see token ids
 * @param segments which policy version produced which span of {@code tokens}
 * @param worker the rollout worker that generated it, for provenance and metrics
 */
public record Trajectory(
    TrajectoryId id,
    String suite,
    TaskId task,
    int groupSize,
    int[] prompt,
    int[] tokens,
    boolean[] policyMask,
    float[] logProbs,
    String completion,
    List<Segment> segments,
    String worker) {

  public Trajectory {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(completion, "completion");
    if (tokens.length != logProbs.length || tokens.length != policyMask.length) {
      throw new IllegalArgumentException(
          "trajectory "
              + id
              + ": "
              + tokens.length
              + " tokens but "
              + policyMask.length
              + " mask entries and "
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

  /** The newest policy version that produced any of its tokens. */
  public PolicyVersion newestVersion() {
    PolicyVersion newest = segments.get(0).version();
    for (Segment s : segments) {
      if (s.version().isNewerThan(newest)) {
        newest = s.version();
      }
    }
    return newest;
  }

  /** A single-turn completion: every token sampled by the policy. */
  public static boolean[] allSampled(int length) {
    boolean[] mask = new boolean[length];
    java.util.Arrays.fill(mask, true);
    return mask;
  }

  /** The tokens the policy sampled, in order. */
  public int[] actions() {
    int n = 0;
    for (boolean m : policyMask) {
      n += m ? 1 : 0;
    }
    int[] out = new int[n];
    for (int i = 0, j = 0; i < tokens.length; i++) {
      if (policyMask[i]) {
        out[j++] = tokens[i];
      }
    }
    return out;
  }

  /** The behaviour version of the token at {@code index}. */
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
        && Arrays.equals(tokens, t.tokens)
        && Arrays.equals(policyMask, t.policyMask)
        && Arrays.equals(logProbs, t.logProbs)
        && completion.equals(t.completion)
        && segments.equals(t.segments)
        && worker.equals(t.worker);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, task, Arrays.hashCode(tokens));
  }

  @Override
  public String toString() {
    return "Trajectory[" + id + " " + task + " " + segments + "]";
  }
}
