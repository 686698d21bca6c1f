package verity.actors.weights.plane;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import verity.actors.config.ConfigChecks;

/** The weight plane's settings, read once from {@code verity.weights}. */
public record PlaneSettings(
    String host,
    int port,
    int relayFanout,
    WireDtype dtype,
    boolean delta,
    WeightFetch.Settings fetch) {

  public static PlaneSettings from(Config config) {
    String host = config.getString("verity.weights.host");
    if (host.isEmpty()) {
      host = config.getString("akka.remote.artery.canonical.hostname");
    }
    int port = ConfigChecks.intAtLeast(config, "verity.weights.port", 0);
    if (port > 65535) {
      throw new ConfigException.BadValue(
          "verity.weights.port", "expected a TCP port 0-65535, got " + port);
    }
    WireDtype dtype;
    try {
      dtype =
          WireDtype.parse(
              config.getString("verity.weights.wire-dtype"), "verity.weights.wire-dtype");
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue("verity.weights.wire-dtype", e.getMessage());
    }
    return new PlaneSettings(
        host,
        port,
        ConfigChecks.intAtLeast(config, "verity.weights.relay-fanout", 0),
        dtype,
        config.getBoolean("verity.weights.delta"),
        new WeightFetch.Settings(
            ConfigChecks.positiveDuration(config, "verity.weights.connect-timeout"),
            ConfigChecks.positiveDuration(config, "verity.weights.idle-timeout"),
            ConfigChecks.positiveInt(config, "verity.weights.attempts")));
  }

  /** True when replicas serve what they receive to others. */
  public boolean relays() {
    return relayFanout > 0;
  }
}
