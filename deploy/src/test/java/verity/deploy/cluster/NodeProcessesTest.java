package verity.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProcessesTest {
  @TempDir Path dir;

  @Test
  void shouldGiveTheLastLineOfANodesOutputAsItsExitReason() throws Exception {
    Path out = dir.resolve("learner-1.out");
    Files.writeString(
        out,
        "verity node learner-1: joining through 127.0.0.1:25520\n"
            + "x".repeat(5000)
            + "\nverity node learner-1: downed by the cluster; exiting\n\n");
    assertEquals(
        ": verity node learner-1: downed by the cluster; exiting", NodeProcesses.exitReason(out));
  }

  @Test
  void shouldShortenALongLastLineAndSayNothingForAnEmptyOutput() throws Exception {
    Path out = dir.resolve("rollout-1.out");
    Files.writeString(out, "y".repeat(1000));
    assertEquals(": " + "y".repeat(300) + "...", NodeProcesses.exitReason(out));
    Files.writeString(out, "");
    assertEquals("", NodeProcesses.exitReason(out));
  }

  @Test
  void shouldSayWhenANodesOutputCannotBeRead() {
    String reason = NodeProcesses.exitReason(dir.resolve("missing.out"));
    assertTrue(reason.startsWith(" (its output cannot be read: "), reason);
  }
}
