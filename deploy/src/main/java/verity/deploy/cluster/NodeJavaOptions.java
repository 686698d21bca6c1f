package verity.deploy.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verity.actors.cluster.Role;

/**
 * The Java options of the node JVMs that {@code verity local} starts: {@code
 * verity.local.node-java-options} for every node, then {@code verity.local.role-java-options.ROLE}
 * for each role the node takes (the JVM takes the last of a repeated option, so a role's {@code
 * -Xmx} wins over the common one). A learner and a rollout worker of a large model need different
 * heaps: the learner one exported version, the worker one version in flight, beside native tensors
 * the heap does not count.
 */
public record NodeJavaOptions(List<String> every, Map<Role, List<String>> byRole) {
  static final String EVERY = "verity.local.node-java-options";
  static final String BY_ROLE = "verity.local.role-java-options";

  public NodeJavaOptions {
    every = List.copyOf(every);
    byRole = Map.copyOf(byRole);
  }

  /**
   * Reads both keys.
   *
   * @throws ConfigException.BadValue naming the key when a role is unknown or its value is not a
   *     list of strings
   */
  public static NodeJavaOptions from(Config config) {
    Map<Role, List<String>> byRole = new LinkedHashMap<>();
    if (config.hasPath(BY_ROLE)) {
      for (String name : config.getObject(BY_ROLE).keySet()) {
        String key = BY_ROLE + "." + name;
        Role role;
        try {
          role = Role.parse(name);
        } catch (IllegalArgumentException e) {
          throw new ConfigException.BadValue(key, e.getMessage());
        }
        try {
          byRole.put(role, config.getStringList(key));
        } catch (ConfigException.WrongType e) {
          throw new ConfigException.BadValue(key, "expected a list of Java options");
        }
      }
    }
    return new NodeJavaOptions(config.getStringList(EVERY), byRole);
  }

  /** The options of a node that takes these roles, in the order above. */
  public List<String> forRoles(List<String> roles) {
    List<String> out = new ArrayList<>(every);
    for (String r : roles) {
      out.addAll(byRole.getOrDefault(Role.parse(r), List.of()));
    }
    return out;
  }
}
