package verity.rollout;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import verity.actors.ids.PolicyVersion;

/**
 * When the evaluator evaluates, and whom a result answers: the first version it holds, then one at
 * least {@code every} versions past the last evaluated, and any version someone waits for (a
 * request for at least version {@code v} waits until {@code v} or a newer one is evaluated); never
 * the version evaluated last again. Plain Java on the evaluator's thread.
 *
 * @param <R> a request that waits
 */
final class EvaluationSchedule<R> {
  private record Waiting<R>(PolicyVersion atLeast, R request) {}

  private final int every;
  private final List<Waiting<R>> waiting = new ArrayList<>();

  /** The step count ({@link PolicyVersion#value()}) of the version evaluated last; -1 before. */
  private long lastEvaluated = -1;

  /**
   * @param every how many versions apart it evaluates unasked
   */
  EvaluationSchedule(int every) {
    this.every = every;
  }

  /** {@code request} waits for an evaluation of {@code atLeast} or a newer version. */
  void ask(PolicyVersion atLeast, R request) {
    waiting.add(new Waiting<>(atLeast, request));
  }

  /** How many requests wait. */
  int waiting() {
    return waiting.size();
  }

  /** Whether {@code latest}, the newest version held, is to be evaluated now. */
  boolean due(PolicyVersion latest) {
    long v = latest.value();
    boolean byInterval = lastEvaluated < 0 || v >= lastEvaluated + every;
    boolean asked = waiting.stream().anyMatch(w -> latest.compareTo(w.atLeast()) >= 0);
    return v != lastEvaluated && (byInterval || asked);
  }

  /** {@code version} was evaluated: the requests its result answers, in the order they came. */
  List<R> evaluated(PolicyVersion version) {
    lastEvaluated = version.value();
    List<R> answered = new ArrayList<>();
    for (Iterator<Waiting<R>> it = waiting.iterator(); it.hasNext(); ) {
      Waiting<R> w = it.next();
      if (version.compareTo(w.atLeast()) >= 0) {
        answered.add(w.request());
        it.remove();
      }
    }
    return answered;
  }
}
