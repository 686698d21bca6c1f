package verity.deploy.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A node's {@code host:port}, as given to {@code --seed-nodes}, and checks on it before a start.
 */
public record NodeAddress(String host, int port) {

  /** Parses a comma-separated list of {@code host:port}, failing with the entry at fault. */
  public static List<NodeAddress> parseList(String list) {
    List<NodeAddress> out = new ArrayList<>();
    for (String part : list.split(",")) {
      if (!part.isBlank()) {
        out.add(parse(part.trim()));
      }
    }
    return out;
  }

  static NodeAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("seed node '" + text + "' is not HOST:PORT");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("seed node '" + text + "' has no numeric port");
    }
    checkPort(port, "seed node '" + text + "'");
    return new NodeAddress(text.substring(0, colon), port);
  }

  public static void checkPort(int port, String what) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(what + ": port " + port + " is not in 1..65535");
    }
  }

  /**
   * The Akka address of the node with this host and port in an actor system called {@code name}.
   */
  public String akkaAddress(String system) {
    return "akka://" + system + "@" + host + ":" + port;
  }

  /**
   * @throws IllegalArgumentException naming the host when it does not resolve
   */
  public InetAddress resolve() {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("host '" + host + "' does not resolve");
    }
  }

  /**
   * Whether nothing listens on this address yet: a TCP server socket for {@code tcp}, a UDP socket
   * for {@code aeron-udp}, bound and closed at once.
   */
  public boolean isFree(Transport transport) {
    InetSocketAddress address = new InetSocketAddress(resolve(), port);
    try {
      if (transport == Transport.TCP) {
        try (ServerSocket s = new ServerSocket()) {
          s.setReuseAddress(true);
          s.bind(address);
        }
      } else {
        try (DatagramSocket s = new DatagramSocket(address)) {
          return s.isBound();
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Where ports that nobody asked for by number are drawn from: below this, none are. */
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  /**
   * A port on {@code host} that is free for both TCP and UDP just now, drawn below the system's
   * ephemeral range where it can: a port handed out by the system (to an outgoing connection, a
   * server bound to port 0, an Aeron media driver's socket) between this check and the node's own
   * bind would make the node fail to start, and the system never hands those out below the range.
   */
  public static int freePort(String host) {
    int below = ephemeralLow();
    SplittableRandom random = new SplittableRandom();
    for (int attempt = 0; below > 10_000 && attempt < 50; attempt++) {
      int port = random.nextInt(10_000, below);
      if (new NodeAddress(host, port).isFree(Transport.TCP)
          && new NodeAddress(host, port).isFree(Transport.AERON_UDP)) {
        return port;
      }
    }
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
        port = s.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException("no free port on " + host + ": " + e.getMessage(), e);
      }
      if (new NodeAddress(host, port).isFree(Transport.AERON_UDP)) {
        return port;
      }
    }
    throw new IllegalStateException("no port free for both TCP and UDP on " + host);
  }

  /** The lowest ephemeral port (Linux), or 0 when unknown. */
  private static int ephemeralLow() {
    try {
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
