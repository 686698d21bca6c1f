package verity.actors.weights.plane;

import java.net.InetSocketAddress;

/** Where a weight-plane server listens: the host other nodes reach it by, and its TCP port. */
public record PlaneAddress(String host, int port) {

  public PlaneAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("weight-plane host must not be empty");
    }
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("weight-plane port must be 1-65535, got " + port);
    }
  }

  public InetSocketAddress socketAddress() {
    return InetSocketAddress.createUnresolved(host, port);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
