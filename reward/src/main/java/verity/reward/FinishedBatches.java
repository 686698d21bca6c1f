package verity.reward;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The batches a verifier has finished, per worker, so that a batch offered again (its worker heard
 * no answer in time and offered it once more) is recognised and not scored twice. A worker numbers
 * its batches upwards and offers the next only after one was taken, so the highest finished number
 * per worker stands for all of that worker's finished batches; batches still being scored are the
 * verifier's pending set. Memory is one number per worker, for at most {@code maxWorkers} workers:
 * the one heard from least recently is forgotten first (a worker that restarts on another process
 * is a new worker, so old ones fall out over a long run).
 *
 * @param <W> how a worker is told apart (its reply address)
 */
final class FinishedBatches<W> {
  private final Map<W, Long> highest;

  FinishedBatches(int maxWorkers) {
    if (maxWorkers < 1) {
      throw new IllegalArgumentException("maxWorkers " + maxWorkers);
    }
    this.highest =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<W, Long> eldest) {
            return size() > maxWorkers;
          }
        };
  }

  /** Whether {@code batch} of {@code worker} was finished here (as far as memory reaches). */
  boolean contains(W worker, long batch) {
    Long h = highest.get(worker);
    return h != null && batch <= h;
  }

  /** {@code batch} of {@code worker} is finished. */
  void add(W worker, long batch) {
    highest.merge(worker, batch, Math::max);
  }

  /** How many workers it remembers. */
  int workers() {
    return highest.size();
  }
}
