package verity.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.Segment;
import verity.envs.Environment;
import verity.envs.Suite;
import verity.envs.Task;
import verity.policy.Episodes;
import verity.policy.Policy;
import verity.policy.Tokenizer;

/**
 * Runs a batch of episodes side by side with one policy replica: prompt, first observation, then
 * action and observation turn after turn until every environment is done or the suite's horizon is
 * reached. The suite speaks text and the policy's tokenizer stands between: prompts and
 * observations are encoded, each action is decoded up to its end-of-sequence for the environment,
 * and the completion's text is those actions one after another. New weights offered by {@code
 * swaps} are taken between turns, and each episode records which version produced which span of its
 * tokens. Plain Java, run on the compute dispatcher by a rollout worker (and by benchmarks).
 */
public final class EpisodeRunner {

  /**
   * One finished episode: the prompt's ids as the policy read them, what it recorded, the text it
   * wrote (what a verifier checks) and the versions that produced it.
   */
  public record Result(
      int[] prompt, Episodes.Episode episode, String completion, List<Segment> segments) {}

  private EpisodeRunner() {}

  /**
   * @param tasks one task per row
   * @param seeds one environment seed per row
   * @param random the sampler's randomness; null takes the most likely action (greedy)
   * @param swaps returns newer weights to load between turns, or null; called on this thread
   */
  public static List<Result> run(
      Policy policy,
      Suite suite,
      List<Task> tasks,
      long[] seeds,
      float temperature,
      SplittableRandom random,
      Supplier<Runnable> swaps) {
    int n = tasks.size();
    Tokenizer tokenizer = policy.spec().tokenizer();
    int[][] prompts = new int[n][];
    Environment[] envs = new Environment[n];
    int[][] observations = new int[n][];
    StringBuilder[] completions = new StringBuilder[n];
    for (int i = 0; i < n; i++) {
      prompts[i] = tokenizer.promptIds(tasks.get(i).prompt());
      envs[i] = suite.newEnvironment(tasks.get(i));
      observations[i] = tokenizer.encode(envs[i].reset(seeds[i]));
      completions[i] = new StringBuilder();
    }
    List<List<Segment>> segments = new ArrayList<>(n);
    int[] segmentStart = new int[n];
    PolicyVersion version = policy.version();
    for (int i = 0; i < n; i++) {
      segments.add(new ArrayList<>());
    }
    List<Result> results = new ArrayList<>(n);
    try (Episodes gen = policy.startEpisodes(prompts)) {
      gen.feed(observations);
      boolean[] alive = new boolean[n];
      java.util.Arrays.fill(alive, true);
      int living = n;
      for (int turn = 0; turn < suite.horizon() && living > 0; turn++) {
        if (turn > 0) {
          Runnable swap = swaps.get();
          if (swap != null) {
            for (int i = 0; i < n; i++) {
              if (alive[i]) {
                close(segments.get(i), segmentStart, i, gen.recorded(i), version);
              }
            }
            swap.run();
            version = policy.version();
          }
        }
        int[][] actions =
            gen.sampleActions(alive, policy.spec().maxCompletionTokens(), temperature, random);
        int[][] next = new int[n][];
        for (int i = 0; i < n; i++) {
          if (!alive[i]) {
            continue;
          }
          String action = tokenizer.decode(actions[i]);
          completions[i].append(action);
          Environment.Step step = envs[i].step(action);
          if (step.done() || turn + 1 == suite.horizon()) {
            close(segments.get(i), segmentStart, i, gen.recorded(i), version);
            gen.finish(i);
            alive[i] = false;
            living--;
          } else {
            next[i] = tokenizer.encode(step.observation());
          }
        }
        if (living > 0) {
          gen.feed(next);
        }
      }
      for (int i = 0; i < n; i++) {
        Episodes.Episode e = gen.episode(i);
        results.add(
            new Result(
                prompts[i],
                e,
                completions[i].toString(),
                trim(segments.get(i), e.tokens().length)));
      }
    }
    return results;
  }

  private static void close(
      List<Segment> segments, int[] start, int row, int end, PolicyVersion version) {
    if (end > start[row]) {
      segments.add(new Segment(start[row], end - start[row], version));
      start[row] = end;
    }
  }

  /** Drops the part of the last segment that lies in trailing padding cut from the episode. */
  private static List<Segment> trim(List<Segment> segments, int length) {
    List<Segment> out = new ArrayList<>();
    for (Segment s : segments) {
      if (s.start() >= length) {
        break;
      }
      out.add(new Segment(s.start(), Math.min(s.length(), length - s.start()), s.version()));
    }
    return out;
  }
}
