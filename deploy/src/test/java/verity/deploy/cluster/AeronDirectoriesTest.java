package verity.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep deletes the Aeron directories of stopped nodes and never one whose driver runs. */
class AeronDirectoriesTest {
  private static final Duration DRIVER_TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path base;

  /** A directory as a killed node leaves it, last changed an hour ago. */
  Path leftBehind(String name, String... files) throws IOException {
    Path dir = Files.createDirectories(base.resolve(name));
    for (String f : files) {
      Files.writeString(dir.resolve(f), "left behind by a node killed with SIGKILL");
    }
    FileTime anHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        Files.setLastModifiedTime(p, anHourAgo);
      }
    }
    return dir;
  }

  static MediaDriver driverIn(Path dir) {
    return MediaDriver.launchEmbedded(
        new MediaDriver.Context()
            .aeronDirectoryName(dir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
  }

  @Test
  void shouldSweepTheDirectoriesOfStoppedNodes() throws IOException {
    Path noCnc = leftBehind("verity-aeron-127.0.0.1-25521", "loss-report.dat");
    Path unreadableCnc =
        leftBehind("verity-aeron-127.0.0.1-25522", "cnc.dat", "loss-report.dat", "junk");
    byte[] notACncFile = new byte[64 * 1024];
    Arrays.fill(notACncFile, (byte) 0x7f);
    Files.write(unreadableCnc.resolve("cnc.dat"), notACncFile);
    Files.setLastModifiedTime(
        unreadableCnc.resolve("cnc.dat"), FileTime.from(Instant.now().minusSeconds(3600)));

    assertEquals(2, AeronDirectories.sweep(List.of(base), DRIVER_TIMEOUT));
    assertFalse(Files.exists(noCnc));
    assertFalse(Files.exists(unreadableCnc));
  }

  @Test
  void shouldKeepTheDirectoryOfARunningMediaDriver() throws IOException {
    try (MediaDriver driver = driverIn(base.resolve("verity-aeron-127.0.0.1-25523"))) {
      Path live = Path.of(driver.aeronDirectoryName());
      // Old timestamps on the files do not fool it: the driver's heartbeat decides.
      try (Stream<Path> all = Files.walk(live)) {
        for (Path p : all.toList()) {
          Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
        }
      }
      Path dead = leftBehind("verity-aeron-127.0.0.1-25524", "junk");

      assertEquals(1, AeronDirectories.sweep(List.of(base), DRIVER_TIMEOUT));
      assertTrue(Files.exists(live.resolve("cnc.dat")), "the running driver's CnC file is kept");
      assertFalse(Files.exists(dead));
    }
  }

  @Test
  void shouldKeepADirectoryJustCreatedWhereADriverMayBeStarting() throws IOException {
    Path starting = Files.createDirectories(base.resolve("verity-aeron-127.0.0.1-25525"));

    assertEquals(0, AeronDirectories.sweep(List.of(base), DRIVER_TIMEOUT));
    assertTrue(Files.exists(starting));
  }

  @Test
  void shouldLeaveDirectoriesOfOtherNamesAlone() throws IOException {
    Path other = leftBehind("aeron-someone-else", "junk");

    assertEquals(0, AeronDirectories.sweep(List.of(base, base.resolve("absent")), DRIVER_TIMEOUT));
    assertTrue(Files.exists(other));
  }
}
