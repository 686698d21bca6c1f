package verity.learner.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verity.actors.ids.PolicyVersion;

/**
 * Writes the learner's checkpoints off its thread, one at a time, on a daemon thread of its own,
 * and deletes the files the journal no longer refers to once it has recorded the newer one.
 */
public final class CheckpointWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

  private final CheckpointStore store;
  private final ExecutorService thread;

  public CheckpointWriter(CheckpointStore store) {
    this(
        store,
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "verity-checkpoint-writer");
              t.setDaemon(true);
              return t;
            }));
  }

  /** A writer on {@code thread}, which must run one task at a time in order (tests). */
  public CheckpointWriter(CheckpointStore store, ExecutorService thread) {
    this.store = store;
    this.thread = thread;
  }

  /**
   * Writes {@code c}; completes with what the journal should record. A live source ({@link
   * verity.learner.grpo.GrpoTrainer#liveCheckpoint}) must not change until this completes.
   */
  public CompletableFuture<CheckpointRef> save(CheckpointSource c) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return store.save(c);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        thread);
  }

  /** Deletes, in the background, every checkpoint file that {@code retained} does not name. */
  public void prune(List<CheckpointRef> retained) {
    thread.execute(
        () -> {
          try {
            store.prune(retained);
          } catch (IOException e) {
            LOG.warn("cannot delete old checkpoints in {}: {}", store.dir(), e.getMessage());
          }
        });
  }

  /** One line saying that the checkpoint of {@code version} could not be written, and why. */
  public String failure(PolicyVersion version, Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null
        && (cause instanceof java.util.concurrent.CompletionException
            || cause instanceof UncheckedIOException)) {
      cause = cause.getCause();
    }
    return "the checkpoint of "
        + version
        + " could not be written to "
        + store.dir()
        + " ("
        + cause
        + "); the run stops: free the disk or fix the directory, then run the same command again to"
        + " resume from the last checkpoint";
  }

  @Override
  public void close() {
    thread.shutdown();
  }
}
