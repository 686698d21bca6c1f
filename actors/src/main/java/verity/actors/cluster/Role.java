package verity.actors.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The cluster roles a Verity node can take; a node may take several. */
public enum Role {
  ROLLOUT,
  REWARD,
  LEARNER,
  CONSOLE;

  /** The name used in configuration, flags and Akka's {@code akka.cluster.roles}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a role name, failing with the list of known roles. */
  public static Role parse(String name) {
    for (Role r : values()) {
      if (r.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '"
            + name
            + "' (known: "
            + Arrays.stream(values()).map(Role::configName).collect(Collectors.joining(", "))
            + ")");
  }
}
