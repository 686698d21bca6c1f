package verity.reward;

import verity.actors.protocol.TrainingEvent.TrajectorySample;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.envs.Suite;

/**
 * Which scored trajectories a verifier shows the console's trajectory inspector, and as what text:
 * every {@code stride}th one, the stride set each second from the last second's pace so that about
 * {@link #PER_SECOND} a second are sampled, spread over the second. Plain Java on the verifier's
 * thread.
 */
final class TrajectorySamples {
  /** Trajectories sampled for the console per second, at most. */
  static final int PER_SECOND = 16;

  private final Suite suite;
  private final String verifier;
  private long scoredAtLastSecond;
  private long stride = 1;

  /**
   * @param suite the verifier's copy of the suite, to decode prompts and completions
   * @param verifier the verifier's name, which the samples carry
   */
  TrajectorySamples(Suite suite, String verifier) {
    this.suite = suite;
    this.verifier = verifier;
  }

  /** Whether the {@code scored}th trajectory scored (counting from 1) is sampled. */
  boolean sampled(long scored) {
    return scored % stride == 0;
  }

  /** A second passed, in which the count of scored trajectories reached {@code scored}. */
  void secondPassed(long scored) {
    stride = Math.max(1, (scored - scoredAtLastSecond) / PER_SECOND);
    scoredAtLastSecond = scored;
  }

  /** One scored trajectory, as text. */
  TrajectorySample of(Trajectory t, Verdict v, String detail) {
    String prompt;
    try {
      prompt = suite.lookup(t.task().value()).prompt();
    } catch (RuntimeException e) {
      prompt = "(task " + t.task().value() + " not in this verifier's suite)";
    }
    long[] versions =
        t.segments().stream().mapToLong(s -> s.version().value()).distinct().toArray();
    return new TrajectorySample(
        t.id().toString(),
        t.suite(),
        t.task().value(),
        v.reason().label(),
        v.reward(),
        detail,
        prompt,
        t.completion(),
        versions,
        t.worker(),
        verifier,
        v.millis(),
        t.actions().length);
  }
}
