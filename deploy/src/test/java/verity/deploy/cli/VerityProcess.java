package verity.deploy.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verity.deploy.Main;

/**
 * A {@code verity} command in its own JVM on the test's class path, its output collected line by
 * line so that a test can wait for a line instead of sleeping.
 */
final class VerityProcess {
  final Process process;
  final List<String> lines = new CopyOnWriteArrayList<>();
  private boolean ended;

  /** Starts {@code verity ARGS...}; {@code args[0]} is the subcommand. */
  VerityProcess(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    command.add("-Xss2m");
    command.add("-Dai.djl.offline=true");
    // The command's own logging (log files per node), not the tests' console configuration that
    // is on the same class path; nodes started by verity local inherit the property.
    command.add("-Dlogback.configurationFile=logback.xml");
    // Any free port for the console, so that runs never collide on its default port.
    command.add("-Dverity.console.port=0");
    command.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(this::read, "output of " + args[0]);
    reader.setDaemon(true);
    reader.start();
  }

  /** Runs on the reader thread: every line wakes whoever awaits one. */
  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (this) {
          lines.add(line);
          notifyAll();
        }
      }
    } catch (IOException e) {
      lines.add("(output closed: " + e.getMessage() + ")");
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  /**
   * Waits for a line to match and returns the first that does; fails with the output's tail if the
   * output ends or time runs out.
   */
  synchronized String await(Predicate<String> condition, long seconds, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      for (String line : lines) {
        if (condition.test(line)) {
          return line;
        }
      }
      if (ended) {
        throw new AssertionError("process ended before " + what + ":\n" + tail());
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new AssertionError("no " + what + " within " + seconds + " s:\n" + tail());
      }
      wait(left);
    }
  }

  /** Waits for a line matching {@code pattern} and returns its first group as a number. */
  long awaitNumber(Pattern pattern, long seconds, String what) throws InterruptedException {
    Matcher m = pattern.matcher(await(l -> pattern.matcher(l).find(), seconds, what));
    if (!m.find()) {
      throw new AssertionError("pattern " + pattern + " did not match twice");
    }
    return Long.parseLong(m.group(1));
  }

  /** Waits until a line matching {@code pattern} carries a first group of at least {@code min}. */
  long awaitAtLeast(Pattern pattern, long min, long seconds, String what)
      throws InterruptedException {
    String line =
        await(
            l -> {
              Matcher m = pattern.matcher(l);
              return m.find() && Long.parseLong(m.group(1)) >= min;
            },
            seconds,
            what);
    Matcher m = pattern.matcher(line);
    m.find();
    return Long.parseLong(m.group(1));
  }

  /** The first group of the last line matching {@code pattern}, or -1. */
  long lastMatch(Pattern pattern) {
    long last = -1;
    for (String line : lines) {
      Matcher m = pattern.matcher(line);
      if (m.find()) {
        last = Long.parseLong(m.group(1));
      }
    }
    return last;
  }

  /** Waits for the process to end and returns its exit code; fails with the tail on time-out. */
  int waitForExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError(
          "still running after " + seconds + " s:\n" + tail() + "\n" + threadsAtWork());
    }
    return process.exitValue();
  }

  /**
   * The stacks of the process's threads that run Verity code or are its main thread (from {@code
   * jcmd Thread.print}): what a process that does not end is waiting for.
   */
  String threadsAtWork() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process dump =
          new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
              .redirectErrorStream(true)
              .start();
      String text = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      dump.waitFor(30, TimeUnit.SECONDS);
      StringBuilder atWork = new StringBuilder("threads at work:\n");
      for (String stack : text.split("\n\n")) {
        if (stack.startsWith("\"main\"") || stack.contains("at verity.")) {
          atWork.append(stack).append("\n\n");
        }
      }
      return atWork.toString();
    } catch (IOException e) {
      return "(no thread dump: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(no thread dump: interrupted)";
    }
  }

  /** The lines from the first that contains {@code marker}, at most {@code max}; "" if none. */
  String linesFrom(String marker, int max) {
    List<String> all = List.copyOf(lines);
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).contains(marker)) {
        return String.join("\n", all.subList(i, Math.min(all.size(), i + max)));
      }
    }
    return "";
  }

  String tail() {
    int n = lines.size();
    return String.join("\n", lines.subList(Math.max(0, n - 40), n));
  }

  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
