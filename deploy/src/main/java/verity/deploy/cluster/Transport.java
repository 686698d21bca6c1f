package verity.deploy.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Artery's transports a Verity node can use: TCP (the default) or Aeron over UDP. */
public enum Transport {
  TCP("tcp"),
  AERON_UDP("aeron-udp");

  /** The value of {@code akka.remote.artery.transport} and of {@code --transport}. */
  public final String configName;

  Transport(String configName) {
    this.configName = configName;
  }

  public static Transport parse(String name) {
    for (Transport t : values()) {
      if (t.configName.equals(name.trim().toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown transport '" + name + "' (known: tcp, aeron-udp)");
  }

  /**
   * Java system properties the embedded Aeron media driver reads when its classes load, set before
   * the actor system starts unless given on the command line. Term buffers are sparse files: by
   * default Aeron fills three terms of 16 MiB per publication with zeros up front, about 700 MiB of
   * /dev/shm and seconds of system time per node of a small cluster, enough on 2 cores to make
   * nodes miss heartbeats while they start.
   */
  public void applyProcessSettings() {
    if (this == AERON_UDP && System.getProperty(SPARSE_TERMS) == null) {
      System.setProperty(SPARSE_TERMS, "true");
    }
  }

  private static final String SPARSE_TERMS = "aeron.term.buffer.sparse.file";

  /** The key that says every host able to reach the nodes' ports is trusted. */
  public static final String TRUSTED_NETWORK = "verity.cluster.trusted-network";

  /**
   * Why this transport may not run with these addresses, if it may not. Akka's Aeron transport has
   * neither TLS nor authentication, so anyone who reaches its UDP port can join the cluster and
   * send any message: it runs on loopback only, unless {@value #TRUSTED_NETWORK} says the network
   * is trusted.
   *
   * @param bindHost the address bound, or empty for the canonical one
   */
  public Optional<String> refusal(String canonicalHost, String bindHost, boolean trustedNetwork) {
    if (this != AERON_UDP || trustedNetwork) {
      return Optional.empty();
    }
    for (String host : List.of(canonicalHost, bindHost)) {
      if (!host.isEmpty() && !isLoopback(host)) {
        return Optional.of(
            "transport aeron-udp on "
                + host
                + ": Aeron UDP has no TLS and no authentication, so any host that reaches the port"
                + " can join the cluster; use tcp, or set "
                + TRUSTED_NETWORK
                + " = true if every host on that network is yours");
      }
    }
    return Optional.empty();
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return configName;
  }
}
