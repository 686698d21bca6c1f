package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.Main;
import verity.deploy.run.RunSummary;

/**
 * A dev run stopped by {@code --target-pass} stops while its learner is still training (unlike
 * {@code --max-steps}, where the learner has finished): the ledger audit at the end must still find
 * every lease accounted for, nothing lost.
 */
class DevRunStopTest {
  @TempDir Path dir;

  @Test
  void shouldAuditAnExactLedgerWhenTheRunStopsOnItsTargetWhileTheLearnerTrains() throws Exception {
    Path summaryFile = dir.resolve("summary.json");
    Path config =
        Files.writeString(
            dir.resolve("eval.conf"),
            """
                verity.rollout.evaluate-every-steps = 20
                verity.rollout.group-size = 4
                verity.rollout.tasks-per-request = 2
                verity.learner.batch-groups = 2
                """);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = {
      "dev",
      "--suite",
      "arith",
      "--seed",
      "1",
      "--target-pass",
      "0.01",
      "--max-steps",
      "2000",
      "--config",
      config.toString(),
      "--data-dir",
      dir.resolve("data").toString(),
      "--summary",
      summaryFile.toString()
    };
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, "stderr: " + err);

    RunSummary s = RunSummary.read(summaryFile);
    assertEquals("target-pass", s.stopReason(), out.toString());
    var ledger = s.ledger();
    assertTrue(ledger.exact(), "ledger: " + ledger);
    assertEquals(0, ledger.lost(), "lost leases " + ledger.lostSample());
    assertEquals(
        ledger.leased(),
        ledger.consumed()
            + ledger.reopened()
            + ledger.rejectedStale()
            + ledger.failed()
            + ledger.expired()
            + ledger.openAtEnd(),
        "every lease accounted for: " + ledger);
    assertTrue(
        ledger.consumed() >= s.steps() * 2L,
        "at least the summary's " + s.steps() + " steps: " + ledger + "\n" + out);
  }
}
