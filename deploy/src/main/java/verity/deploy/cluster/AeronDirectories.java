package verity.deploy.cluster;

import com.typesafe.config.Config;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directories of the embedded Aeron media drivers of a machine's nodes (transport {@code
 * aeron-udp}): {@code verity-aeron-HOST-PORT}, one per node, on /dev/shm or under the temporary
 * directory. A node killed with SIGKILL leaves its directory behind (8 MiB and more, in memory on
 * /dev/shm), so every start on Aeron sweeps the directories whose driver no longer runs.
 */
public final class AeronDirectories {
  static final String PREFIX = "verity-aeron-";

  private static final String TRANSPORT = "akka.remote.artery.transport";
  private static final String DRIVER_TIMEOUT = "akka.remote.artery.advanced.aeron.driver-timeout";

  private static final Path SHM = Path.of("/dev/shm");
  private static final long SHM_NEEDED = 512L << 20;

  private AeronDirectories() {}

  /**
   * Aeron's directory for a node: on /dev/shm (memory, where Aeron's files belong) when it has room
   * for a node's buffers, else under the temporary directory: a container's /dev/shm is often only
   * 64 MiB, and a node of a small cluster maps about 8 MiB there, more under load.
   */
  public static Path forNode(String host, int port) {
    Path base = tmp();
    try {
      if (Files.isDirectory(SHM) && Files.getFileStore(SHM).getUsableSpace() >= SHM_NEEDED) {
        base = SHM;
      }
    } catch (IOException e) {
      // /dev/shm cannot be inspected: the temporary directory will do.
    }
    return base.resolve(name(host, port));
  }

  /** Every place {@link #forNode} may have put a node's directory, for cleaning up. */
  public static List<Path> candidates(String host, int port) {
    return List.of(SHM.resolve(name(host, port)), tmp().resolve(name(host, port)));
  }

  /**
   * Deletes a directory with everything in it, if it exists.
   *
   * @return false when some of it remains
   */
  public static boolean delete(Path dir) {
    IoUtil.delete(dir.toFile(), true);
    return !Files.exists(dir);
  }

  /**
   * With transport aeron-udp in {@code config}: deletes every node's directory, in both places,
   * whose media driver no longer runs (see {@link #isDead}), and logs how many.
   *
   * @return how many were deleted; 0 on another transport
   */
  public static int sweepIfAeron(Config config) {
    if (!config.getString(TRANSPORT).equals(Transport.AERON_UDP.configName)) {
      return 0;
    }
    List<Path> bases = new ArrayList<>(new LinkedHashSet<>(List.of(SHM, tmp())));
    int swept = sweep(bases, config.getDuration(DRIVER_TIMEOUT));
    log().info("swept {} Aeron directories of stopped nodes from {}", swept, bases);
    return swept;
  }

  /**
   * Deletes every {@code verity-aeron-*} directory under {@code bases} whose driver is dead.
   *
   * @return how many were deleted
   */
  static int sweep(List<Path> bases, Duration driverTimeout) {
    int swept = 0;
    for (Path base : bases) {
      if (!Files.isDirectory(base)) {
        continue;
      }
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, PREFIX + "*")) {
        for (Path dir : dirs) {
          if (Files.isDirectory(dir) && isDead(dir, driverTimeout) && delete(dir)) {
            swept++;
          }
        }
      } catch (IOException e) {
        log().warn("cannot list {} for Aeron directories of stopped nodes: {}", base, e.toString());
      }
    }
    return swept;
  }

  /**
   * Whether no media driver runs in {@code dir}. Aeron's CnC file tells: a driver writes its
   * heartbeat there, and one silent for longer than {@code driverTimeout} is gone (Akka's own rule,
   * {@code akka.remote.artery.advanced.aeron.driver-timeout}). A directory without a CnC file that
   * Aeron can read is dead once nothing in it has changed for as long: until then a driver may be
   * starting there (verity local starts its nodes at once).
   */
  static boolean isDead(Path dir, Duration driverTimeout) {
    File cnc = dir.resolve(CncFileDescriptor.CNC_FILE).toFile();
    if (cnc.length() > CncFileDescriptor.END_OF_METADATA_OFFSET) {
      try {
        return !CommonContext.isDriverActive(
            dir.toFile(), driverTimeout.toMillis(), message -> log().debug(message));
      } catch (RuntimeException e) {
        // Another Aeron version's file, or one never initialised: judged by its age below.
      }
    }
    Instant changed = Instant.now().minus(driverTimeout);
    return unchangedSince(dir, changed) && unchangedSince(cnc.toPath(), changed);
  }

  private static boolean unchangedSince(Path path, Instant since) {
    try {
      return !Files.exists(path) || Files.getLastModifiedTime(path).toInstant().isBefore(since);
    } catch (IOException e) {
      return false; // cannot tell: keep it
    }
  }

  /**
   * Looked up when first used, not when this class loads: the commands name their log file (the
   * system property {@code verity.log.file}) after they have placed their Aeron directory, and
   * Logback reads it once, on the first logger.
   */
  private static Logger log() {
    return LoggerFactory.getLogger(AeronDirectories.class);
  }

  private static String name(String host, int port) {
    return PREFIX + host + "-" + port;
  }

  private static Path tmp() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }
}
