package verity.deploy.verify;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import verity.envs.CheckResult;
import verity.reward.ProgramRunner;

/**
 * Runs the checks of {@code verify} on a small pool and hands the results on in input order, each
 * within a deadline. Hand-written on a {@link ThreadPoolExecutor} because results must come out in
 * order while checks overlap, and because a check that ignores interruption must not stall the
 * rest: the pool gets one more thread for each check that ran past its deadline.
 */
final class OrderedVerifier implements AutoCloseable {
  private final Function<VerifyInput.Check, CheckResult> check;
  private final Duration deadline;
  private final Consumer<VerifyResult> sink;
  private final ThreadPoolExecutor pool;
  private final int window;
  private final Deque<Pending> pending = new ArrayDeque<>();

  /** A line on its way: its result already known, or its check submitted. */
  private static final class Pending {
    final VerifyInput.Line line;
    VerifyResult result;
    Future<CheckResult> future;
    volatile boolean started;
    volatile long startedNanos;
    volatile long elapsedNanos;

    Pending(VerifyInput.Line line) {
      this.line = line;
    }
  }

  /**
   * @param threads checks that run at once
   * @param deadline how long one check may run; past it the line's verdict is {@code timeout}
   */
  OrderedVerifier(
      int threads,
      Duration deadline,
      Function<VerifyInput.Check, CheckResult> check,
      Consumer<VerifyResult> sink) {
    this.check = check;
    this.deadline = deadline;
    this.sink = sink;
    // A few lines queued per thread keep the threads busy while the head of the line is waited on.
    this.window = 4 * threads;
    AtomicInteger count = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              // Daemon: a check stuck past its deadline must not keep the command from exiting.
              Thread t = new Thread(r, "verify-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Takes the next line; when enough lines are on their way, waits for the oldest and hands it on.
   *
   * @throws ProgramRunner.SandboxUnavailableException when the sandbox cannot run at all: no
   *     verdict is possible, so the run stops
   */
  void submit(VerifyInput.Line line) {
    Pending p = new Pending(line);
    if (line instanceof VerifyInput.Rejected r) {
      p.result = VerifyResult.rejected(r);
    } else {
      VerifyInput.Check c = (VerifyInput.Check) line;
      p.future =
          pool.submit(
              () -> {
                p.startedNanos = System.nanoTime();
                p.started = true;
                try {
                  return check.apply(c);
                } finally {
                  p.elapsedNanos = System.nanoTime() - p.startedNanos;
                }
              });
    }
    pending.addLast(p);
    while (pending.size() > window) {
      sink.accept(await(pending.removeFirst()));
    }
  }

  /** Waits for every line still on its way and hands each on. */
  void finish() {
    while (!pending.isEmpty()) {
      sink.accept(await(pending.removeFirst()));
    }
  }

  private VerifyResult await(Pending p) {
    if (p.result != null) {
      return p.result;
    }
    VerifyInput.Check c = (VerifyInput.Check) p.line;
    long deadlineNanos = deadline.toNanos();
    while (true) {
      // A check still queued has not used any of its time yet.
      long left = p.started ? p.startedNanos + deadlineNanos - System.nanoTime() : deadlineNanos;
      try {
        CheckResult r = p.future.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
        return VerifyResult.checked(c, r, p.elapsedNanos);
      } catch (TimeoutException e) {
        if (p.started
            && !p.future.isDone()
            && System.nanoTime() - p.startedNanos >= deadlineNanos) {
          p.future.cancel(true);
          addThread();
          return VerifyResult.timedOut(c, deadline, System.nanoTime() - p.startedNanos);
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ProgramRunner.SandboxUnavailableException unavailable) {
          throw unavailable;
        }
        return VerifyResult.crashed(c, e.getCause(), p.elapsedNanos);
      } catch (CancellationException e) {
        throw new IllegalStateException("check of line " + c.number() + " was cancelled", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while checking line " + c.number(), e);
      }
    }
  }

  /** Makes up for a thread that may still be busy with a check that ran past its deadline. */
  private void addThread() {
    pool.setMaximumPoolSize(pool.getMaximumPoolSize() + 1);
    pool.setCorePoolSize(pool.getCorePoolSize() + 1);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
