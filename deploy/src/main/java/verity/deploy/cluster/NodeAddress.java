package verity.deploy.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

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

  /** A port on {@code host} that is free for both TCP and UDP just now. */
  public static int freePort(String host) {
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

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
