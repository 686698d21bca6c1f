package verity.deploy.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.agrona.IoUtil;

/**
 * The directories of the embedded Aeron media drivers of a machine's nodes (transport {@code
 * aeron-udp}): {@code verity-aeron-HOST-PORT}, one per node, on /dev/shm or under the temporary
 * directory.
 */
public final class AeronDirectories {
  static final String PREFIX = "verity-aeron-";

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

  private static String name(String host, int port) {
    return PREFIX + host + "-" + port;
  }

  private static Path tmp() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }
}
