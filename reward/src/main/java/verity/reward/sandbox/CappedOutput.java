package verity.reward.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Drains one output stream of a sandboxed program on its own thread, keeping at most a cap of bytes
 * and discarding the rest, so the program never blocks on a full pipe and a flood of output costs
 * no memory. Hand-written because it is a dozen lines and must never block its caller.
 */
final class CappedOutput {
  private static final int CHUNK = 8192;

  private final InputStream in;
  private final int cap;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final Thread thread;
  private boolean truncated;

  private CappedOutput(InputStream in, int cap, String name) {
    this.in = in;
    this.cap = cap;
    this.thread = new Thread(this::drain, name);
    thread.setDaemon(true);
  }

  /** Starts draining {@code in} on a daemon thread named {@code name}. */
  static CappedOutput start(InputStream in, int cap, String name) {
    CappedOutput out = new CappedOutput(in, cap, name);
    out.thread.start();
    return out;
  }

  private void drain() {
    byte[] buf = new byte[CHUNK];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        synchronized (this) {
          int keep = Math.min(n, cap - kept.size());
          kept.write(buf, 0, keep);
          truncated |= keep < n;
        }
      }
    } catch (IOException e) {
      // The stream was closed under us (the process is gone); what was read is kept.
    }
  }

  /**
   * What was kept, once the stream ends or the {@link System#nanoTime()} {@code deadline} has
   * passed, whichever is first; a reader still blocked then (a stray holder of the pipe) is
   * abandoned with what it has.
   */
  String await(long deadline) throws InterruptedException {
    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    synchronized (this) {
      return kept.toString(StandardCharsets.UTF_8);
    }
  }

  synchronized boolean truncated() {
    return truncated;
  }
}
