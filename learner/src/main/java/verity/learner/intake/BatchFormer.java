package verity.learner.intake;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.learner.StalenessPolicy;
import verity.learner.grpo.GroupAdvantages;
import verity.learner.grpo.TrainingSample;

/**
 * Forms the learner's batches from groups whose leases it has claimed: {@code batchGroups} groups
 * at a time, oldest first, each checked again when the batch is formed: a group now too stale is
 * dropped (to be settled as rejected), a group whose lease a step already consumed is dropped
 * without a word (it can only be a repeat), and the rest become training samples with their
 * group-relative advantages and their staleness weight. Not thread-safe: one actor owns it.
 */
public final class BatchFormer {

  /**
   * A batch to train, or none yet ({@code groups} empty); either way the groups dropped as too
   * stale and as already consumed.
   */
  public record Formation(
      List<Group> groups, List<TrainingSample> samples, List<Group> stale, List<Group> consumed) {
    public boolean ready() {
      return !groups.isEmpty();
    }

    public List<LeaseId> staleLeases() {
      return stale.stream().map(Group::lease).toList();
    }
  }

  private final int batchGroups;
  private final StalenessPolicy staleness;
  private final boolean normalizeStd;
  private final ArrayDeque<Group> claimed = new ArrayDeque<>();

  public BatchFormer(int batchGroups, StalenessPolicy staleness, boolean normalizeStd) {
    this.batchGroups = batchGroups;
    this.staleness = staleness;
    this.normalizeStd = normalizeStd;
  }

  /** A group whose lease the task source granted to this learner. */
  public void add(Group g) {
    claimed.add(g);
  }

  public int groups() {
    return claimed.size();
  }

  public int trajectories() {
    return claimed.stream().mapToInt(g -> g.members().size()).sum();
  }

  /**
   * Takes a batch for a step from {@code current} if enough fresh groups are there.
   *
   * @param consumed true for a lease a step has consumed
   */
  public Formation form(PolicyVersion current, Predicate<LeaseId> consumed) {
    List<Group> stale = new ArrayList<>();
    List<Group> repeated = new ArrayList<>();
    List<Group> fresh = new ArrayList<>();
    for (var it = claimed.iterator(); it.hasNext(); ) {
      Group g = it.next();
      if (consumed.test(g.lease())) {
        repeated.add(g);
        it.remove();
      } else if (staleness.weight(g.oldestVersion().behind(current)) == 0f) {
        stale.add(g);
        it.remove();
      }
    }
    if (claimed.size() < batchGroups) {
      return new Formation(List.of(), List.of(), stale, repeated);
    }
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < batchGroups; i++) {
      Group g = claimed.poll();
      fresh.add(g);
      samples.addAll(samples(g, current));
    }
    return new Formation(fresh, samples, stale, repeated);
  }

  private List<TrainingSample> samples(Group g, PolicyVersion current) {
    float weight = staleness.weight(g.oldestVersion().behind(current));
    double[] rewards = new double[g.members().size()];
    for (int i = 0; i < rewards.length; i++) {
      rewards[i] = g.members().get(i).verdict().reward();
    }
    float[] advantages = GroupAdvantages.of(rewards, normalizeStd);
    List<TrainingSample> out = new ArrayList<>(rewards.length);
    for (int i = 0; i < rewards.length; i++) {
      var t = g.members().get(i).trajectory();
      out.add(
          new TrainingSample(
              t.prompt(),
              t.tokens(),
              t.policyMask(),
              t.logProbs(),
              advantages[i],
              weight,
              rewards[i],
              t.oldestVersion().behind(current)));
    }
    return out;
  }
}
