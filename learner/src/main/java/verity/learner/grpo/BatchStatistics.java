package verity.learner.grpo;

import java.util.List;

/** What a batch is made of, before any gradient: rewards, staleness and down-weighting. */
public record BatchStatistics(
    double meanReward,
    double solvedFraction,
    double meanStaleness,
    long maxStaleness,
    long[] stalenessHistogram,
    int downweighted) {

  /** Staleness buckets 0, 1, ..., {@code buckets - 2}, and one for everything older. */
  public static BatchStatistics of(List<TrainingSample> samples, int buckets) {
    long[] histogram = new long[buckets];
    double reward = 0;
    int solved = 0;
    double staleness = 0;
    long max = 0;
    int downweighted = 0;
    for (TrainingSample s : samples) {
      reward += s.reward();
      solved += s.reward() > 0 ? 1 : 0;
      staleness += s.staleness();
      max = Math.max(max, s.staleness());
      histogram[(int) Math.min(buckets - 1, s.staleness())]++;
      downweighted += s.weight() < 1f ? 1 : 0;
    }
    int n = Math.max(1, samples.size());
    return new BatchStatistics(
        reward / n, (double) solved / n, staleness / n, max, histogram, downweighted);
  }

  /** Total policy tokens of the batch: what each slice's loss is divided by. */
  public static double tokens(List<TrainingSample> samples) {
    double n = 0;
    for (TrainingSample s : samples) {
      for (boolean b : s.sampled()) {
        n += b ? 1 : 0;
      }
    }
    return n;
  }
}
