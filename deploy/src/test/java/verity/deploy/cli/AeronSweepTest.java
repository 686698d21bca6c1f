package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.cluster.NodeAddress;

/**
 * {@code verity node --transport aeron-udp} sweeps the Aeron directory a killed node left behind on
 * another port, and says how many it swept in its own log file.
 */
class AeronSweepTest {
  private static final Pattern SWEPT =
      Pattern.compile("swept \\d+ Aeron directories of stopped nodes");

  @TempDir Path dir;

  @Test
  void shouldSweepTheAeronDirectoryOfAKilledNodeAndLogItInItsOwnLog() throws Exception {
    // As a node killed with SIGKILL leaves it: no media driver, nothing changed for an hour.
    Path left =
        Files.createDirectories(
            Path.of(
                System.getProperty("java.io.tmpdir"),
                "verity-aeron-127.0.0.1-" + NodeAddress.freePort("127.0.0.1")));
    Files.writeString(left.resolve("loss-report.dat"), "left behind");
    FileTime anHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    Files.setLastModifiedTime(left.resolve("loss-report.dat"), anHourAgo);
    Files.setLastModifiedTime(left, anHourAgo);

    // A node that starts, sweeps, and gives up joining a seed that is not there.
    Path settings = dir.resolve("node.conf");
    Files.writeString(settings, "verity.node.join-timeout = 4s\n");
    int port = NodeAddress.freePort("127.0.0.1");
    VerityProcess node =
        new VerityProcess(
            "node",
            "--roles",
            "reward",
            "--port",
            Integer.toString(port),
            "--transport",
            "aeron-udp",
            "--seed-nodes",
            "127.0.0.1:" + NodeAddress.freePort("127.0.0.1"),
            "--data-dir",
            dir.toString(),
            "--config",
            settings.toString());
    assertEquals(1, node.waitForExit(120), node.tail());

    assertFalse(Files.exists(left), "the killed node's directory is swept");
    String log = Files.readString(dir.resolve("nodes/reward-" + port + ".log"));
    assertTrue(SWEPT.matcher(log).find(), "the node's own log says how many: " + log);
  }
}
