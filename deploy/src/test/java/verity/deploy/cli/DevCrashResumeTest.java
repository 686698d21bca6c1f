package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.run.RunSummary;

/**
 * Kill -9 in the middle of a run, then start again on the same data directory: the run continues
 * from its last checkpoint (not from version 0), its greedy pass@1 right after the resume is that
 * of the checkpoint's version before the kill, and no lease is trained on twice. Both runs are real
 * {@code verity dev} processes; the first dies by SIGKILL, with no chance to flush anything.
 */
class DevCrashResumeTest {
  static final Pattern EVAL =
      Pattern.compile("^eval\\s+v(\\d+)(?:/e\\d+)?\\s+greedy pass@1 ([0-9.]+)");
  static final Pattern CHECKPOINT = Pattern.compile("^checkpoint v(\\d+)(?:/e\\d+)? saved");
  static final Pattern STEP = Pattern.compile("^step\\s+\\d+\\s+v(\\d+)(?:/e\\d+)?\\s");

  @TempDir Path dir;
  final List<Process> processes = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    processes.forEach(Process::destroyForcibly);
  }

  /** A {@code verity dev} process on the test's class path. */
  final class Dev {
    final VerityProcess p;
    final Process process;

    Dev(String... args) throws IOException {
      p = new VerityProcess(concat(new String[] {"dev"}, args));
      process = p.process;
      processes.add(process);
    }

    void await(Predicate<String> condition, long seconds, String what) throws InterruptedException {
      p.await(condition, seconds, what);
    }

    String tail() {
      return p.tail();
    }

    long lastMatch(Pattern pattern) {
      return p.lastMatch(pattern);
    }

    Map<Long, Double> evaluations() {
      Map<Long, Double> pass = new ConcurrentHashMap<>();
      for (String line : p.lines) {
        Matcher m = EVAL.matcher(line);
        if (m.find()) {
          pass.put(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)));
        }
      }
      return pass;
    }
  }

  @Test
  void shouldResumeFromTheLastCheckpointAfterKillNineAndTrainNothingTwice() throws Exception {
    Path data = dir.resolve("data");
    Path settings = dir.resolve("test.conf");
    Files.writeString(
        settings,
        "verity.learner.checkpoint.every-steps = 50\nverity.rollout.evaluate-every-steps = 25\n");
    String[] common = {
      "--suite",
      "arith",
      "--seed",
      "1",
      "--data-dir",
      data.toString(),
      "--config",
      settings.toString()
    };

    Dev first = new Dev(concat(common, "--max-minutes", "5"));
    first.await(l -> CHECKPOINT.matcher(l).find() && !l.contains("v0 "), 240, "a checkpoint");
    long checkpointed = first.lastMatch(CHECKPOINT);
    first.await(
        l -> {
          Matcher m = STEP.matcher(l);
          return m.find() && Long.parseLong(m.group(1)) >= checkpointed + 15;
        },
        120,
        "steps past the checkpoint");
    first.process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
    assertTrue(first.process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(137, first.process.exitValue(), "killed by SIGKILL");
    long lastSeenCheckpoint = first.lastMatch(CHECKPOINT);
    long reachedBeforeKill = first.lastMatch(STEP);
    Map<Long, Double> passBefore = first.evaluations();

    Path summaryFile = dir.resolve("summary.json");
    long target = reachedBeforeKill + 20;
    Dev second =
        new Dev(
            concat(
                common,
                "--max-steps",
                Long.toString(target),
                "--max-minutes",
                "4",
                "--summary",
                summaryFile.toString()));
    assertTrue(
        second.process.waitFor(300, TimeUnit.SECONDS), "second run ended:\n" + second.tail());
    assertEquals(0, second.process.exitValue(), second.tail());

    RunSummary s = RunSummary.read(summaryFile);
    assertNotNull(s.resumedFromVersion(), "the second run resumed:\n" + second.tail());
    long resumed = s.resumedFromVersion();
    assertTrue(
        resumed >= lastSeenCheckpoint && resumed <= reachedBeforeKill && resumed % 50 == 0,
        "resumed from v" + resumed + "; last checkpoint seen v" + lastSeenCheckpoint);
    assertTrue(resumed > 0, "not from version 0");
    assertEquals(target, s.policyVersion(), "the version continues from the checkpoint");
    assertEquals(0, s.trajectories().duplicates(), "no lease trained on twice");
    assertTrue(s.ledger().exact(), "nothing lost, nothing trained after it closed: " + s.ledger());
    // The evaluator follows the newest version, so before the kill it may have measured a version
    // or two past the checkpoint's instead of the checkpoint's own.
    long nearest =
        passBefore.keySet().stream()
            .min(java.util.Comparator.comparingLong(v -> Math.abs(v - resumed)))
            .orElseThrow();
    assertTrue(
        Math.abs(nearest - resumed) <= 3,
        "the first run evaluated near v" + resumed + ": " + passBefore);
    double before = passBefore.get(nearest);
    assertEquals(
        before,
        s.initialPass(),
        0.05,
        "pass@1 right after the resume vs. the same version before the kill");
  }

  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
