package verity.deploy.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import verity.envs.CheckResult;
import verity.envs.Task;
import verity.reward.ProgramRunner;

class OrderedVerifierTest {
  record FakeTask(String id) implements Task {
    @Override
    public String prompt() {
      return "";
    }
  }

  static VerifyInput.Check line(int n, String completion) {
    return new VerifyInput.Check(n, new FakeTask("t" + n), completion);
  }

  final List<VerifyResult> results = new ArrayList<>();

  void run(
      int threads,
      Duration deadline,
      Function<VerifyInput.Check, CheckResult> check,
      VerifyInput.Line... lines) {
    try (OrderedVerifier v = new OrderedVerifier(threads, deadline, check, results::add)) {
      for (VerifyInput.Line l : lines) {
        v.submit(l);
      }
      v.finish();
    }
  }

  List<String> verdicts() {
    return results.stream().map(r -> r.line() + ":" + r.verdict()).toList();
  }

  @Test
  void shouldHandOnResultsInInputOrderWhenALaterCheckFinishesFirst() {
    CountDownLatch secondDone = new CountDownLatch(1);
    run(
        2,
        Duration.ofMinutes(1),
        c -> {
          if (c.number() == 1) {
            try {
              secondDone.await();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
            return CheckResult.correct();
          }
          secondDone.countDown();
          return CheckResult.wrong();
        },
        line(1, "a"),
        line(2, "b"));
    assertEquals(List.of("1:correct", "2:wrong"), verdicts());
  }

  @Test
  void shouldPassRejectedLinesThroughInPlace() {
    run(
        1,
        Duration.ofMinutes(1),
        c -> CheckResult.correct(),
        line(1, "a"),
        new VerifyInput.Rejected(2, null, "not a JSON object"),
        line(3, "c"));
    assertEquals(List.of("1:correct", "2:malformed", "3:correct"), verdicts());
    assertEquals("not a JSON object", results.get(1).reason());
  }

  @Test
  void shouldCallACheckPastItsDeadlineATimeoutAndGoOn() {
    CountDownLatch never = new CountDownLatch(1);
    run(
        1,
        Duration.ofMillis(100),
        c -> {
          if (c.number() == 1) {
            try {
              never.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return CheckResult.correct();
        },
        line(1, "a"),
        line(2, "b"));
    assertEquals(List.of("1:timeout", "2:correct"), verdicts());
    assertEquals("t1", results.get(0).id());
    assertTrue(results.get(0).millis() >= 100, "millis " + results.get(0).millis());
    assertEquals("the check ran past the 0.1 s deadline", results.get(0).reason());
  }

  @Test
  void shouldNotLetACheckThatIgnoresInterruptionStallTheRest() {
    AtomicBoolean release = new AtomicBoolean();
    try {
      run(
          1,
          Duration.ofMillis(100),
          c -> {
            while (c.number() == 1 && !release.get()) {
              Thread.onSpinWait();
            }
            return CheckResult.correct();
          },
          line(1, "a"),
          line(2, "b"),
          line(3, "c"));
    } finally {
      release.set(true);
    }
    assertEquals(List.of("1:timeout", "2:correct", "3:correct"), verdicts());
  }

  @Test
  void shouldCallACheckThatThrowsCrashed() {
    run(
        1,
        Duration.ofMinutes(1),
        c -> {
          throw new IllegalStateException("regex blew up");
        },
        line(1, "a"));
    assertEquals(List.of("1:crashed"), verdicts());
    assertTrue(results.get(0).reason().contains("regex blew up"), results.get(0).reason());
  }

  @Test
  void shouldStopWhenTheSandboxCannotRunAtAll() {
    assertThrows(
        ProgramRunner.SandboxUnavailableException.class,
        () ->
            run(
                1,
                Duration.ofMinutes(1),
                c -> {
                  throw new ProgramRunner.SandboxUnavailableException("no bwrap", null);
                },
                line(1, "a")));
  }
}
