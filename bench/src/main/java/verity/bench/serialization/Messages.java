package verity.bench.serialization;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.Segment;
import verity.actors.protocol.Trajectory;

/**
 * The message measured, built the way the cluster builds it: a long multi-turn {@link Trajectory}
 * as a rollout worker sends it to the verifiers (inside a {@code VerifyBatch}, whose envelope of a
 * batch number and a reply-to path is left out here). Seeded, so every fork measures the same
 * bytes.
 */
final class Messages {
  /** Completion tokens of the long trajectory. */
  static final int TRAJECTORY_TOKENS = 4096;

  private static final int PROMPT_TOKENS = 64;
  private static final int VOCAB = 32;
  private static final int SEGMENTS = 4;

  private Messages() {}

  /**
   * A multi-turn episode: turns of 24 sampled tokens (with their log-probs) alternate with 8
   * observation tokens from the environment (mask false, log-prob 0), and the weights were swapped
   * three times mid-episode, so it carries four version segments.
   */
  static Trajectory longTrajectory() {
    SplittableRandom random = new SplittableRandom(1);
    int[] prompt = random.ints(PROMPT_TOKENS, 0, VOCAB).toArray();
    int[] tokens = random.ints(TRAJECTORY_TOKENS, 0, VOCAB).toArray();
    boolean[] mask = new boolean[TRAJECTORY_TOKENS];
    float[] logProbs = new float[TRAJECTORY_TOKENS];
    for (int i = 0; i < TRAJECTORY_TOKENS; i++) {
      mask[i] = i % 32 < 24;
      logProbs[i] = mask[i] ? (float) Math.log(random.nextDouble(0.01, 1.0)) : 0f;
    }
    List<Segment> segments = new ArrayList<>(SEGMENTS);
    int span = TRAJECTORY_TOKENS / SEGMENTS;
    for (int s = 0; s < SEGMENTS; s++) {
      segments.add(new Segment(s * span, span, PolicyVersion.of(1_000 + s)));
    }
    return new Trajectory(
        new TrajectoryId(new LeaseId(123_456), 3),
        "gridworld",
        new TaskId("gridworld-8x8-00417"),
        8,
        prompt,
        tokens,
        mask,
        logProbs,
        "NNEESSWWNNEE",
        segments,
        "rollout-worker-2@127.0.0.1:25520");
  }
}
