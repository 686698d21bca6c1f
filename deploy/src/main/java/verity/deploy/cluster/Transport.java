package verity.deploy.cluster;

import java.util.Locale;

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

  @Override
  public String toString() {
    return configName;
  }
}
