package verity.deploy.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Locale;
import java.util.Map;

/**
 * Where a node runs, chosen by the environment variable {@value #VARIABLE}: unset (or empty) for a
 * machine of its own, {@code k8s} for a pod on Kubernetes. A profile is a layer of settings under
 * the deployment's own configuration and over Verity's defaults.
 */
public enum DeploymentProfile {
  /** No profile: the defaults, seed nodes given with --seed-nodes. */
  NONE("", null),
  /** A pod: cluster bootstrap through the Kubernetes API, the journal on PostgreSQL. */
  K8S("k8s", "verity-k8s.conf");

  public static final String VARIABLE = "VERITY_PROFILE";

  /** The value of {@value #VARIABLE} that selects this profile. */
  public final String name;

  private final String resource;

  DeploymentProfile(String name, String resource) {
    this.name = name;
    this.resource = resource;
  }

  /**
   * @throws ConfigException naming the variable and the known profiles if its value is unknown
   */
  public static DeploymentProfile fromEnvironment(Map<String, String> environment) {
    String value = environment.getOrDefault(VARIABLE, "").trim();
    for (DeploymentProfile p : values()) {
      if (p.name.equals(value.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new ConfigException.Generic(
        VARIABLE + "=" + value + " is not a known profile (known: k8s, or unset for none)");
  }

  /** This profile's settings, unresolved: they refer to environment variables. */
  public Config settings() {
    if (resource == null) {
      return ConfigFactory.empty();
    }
    return ConfigFactory.parseResources(
        DeploymentProfile.class.getClassLoader(),
        resource,
        com.typesafe.config.ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /** Whether nodes of this profile form their cluster through Akka Cluster Bootstrap. */
  public boolean bootstraps() {
    return this == K8S;
  }
}
