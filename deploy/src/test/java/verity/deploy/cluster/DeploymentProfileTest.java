package verity.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verity.deploy.cli.CommandLineTest.assertUsageError;
import static verity.deploy.cli.CommandLineTest.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import verity.deploy.cli.VerityConfig;
import verity.deploy.run.RunPlan;

/** VERITY_PROFILE chooses a layer of settings; k8s is bootstrap on Kubernetes, PostgreSQL. */
class DeploymentProfileTest {
  private static final Map<String, Object> POSTGRES =
      Map.of("verity.persistence.url", "jdbc:postgresql://db:5432/verity");

  @Test
  void shouldChooseTheProfileFromTheVariableAndRefuseAnUnknownOne() {
    assertEquals(DeploymentProfile.NONE, DeploymentProfile.fromEnvironment(Map.of()));
    assertEquals(
        DeploymentProfile.NONE, DeploymentProfile.fromEnvironment(Map.of("VERITY_PROFILE", "")));
    assertEquals(
        DeploymentProfile.K8S, DeploymentProfile.fromEnvironment(Map.of("VERITY_PROFILE", "k8s")));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> DeploymentProfile.fromEnvironment(Map.of("VERITY_PROFILE", "cloud")));
    assertTrue(e.getMessage().contains("VERITY_PROFILE=cloud"), e.getMessage());
    assertTrue(e.getMessage().contains("k8s"), e.getMessage());
  }

  @Test
  void shouldBootstrapThroughTheKubernetesApiWithTheK8sProfile() {
    // The profile's defaults, or what this machine's environment sets (the profile reads both).
    String contactPoints = envOr("VERITY_REQUIRED_CONTACT_POINTS", "2");
    String transport = envOr("VERITY_TRANSPORT", "tcp");
    Config c = VerityConfig.load(POSTGRES, null, DeploymentProfile.K8S);
    String bootstrap = "akka.management.cluster.bootstrap.contact-point-discovery.";
    assertEquals("kubernetes-api", c.getString("akka.discovery.method"));
    assertEquals("kubernetes-api", c.getString(bootstrap + "discovery-method"));
    assertEquals("verity", c.getString(bootstrap + "service-name"));
    assertEquals("management", c.getString(bootstrap + "port-name"));
    assertEquals(contactPoints, c.getString(bootstrap + "required-contact-point-nr"));
    assertEquals("app=%s", c.getString("akka.discovery.kubernetes-api.pod-label-selector"));
    assertEquals(8558, c.getInt("akka.management.http.port"));
    assertEquals("0.0.0.0", c.getString("akka.management.http.bind-hostname"));
    assertEquals("ready", c.getString("akka.management.health-checks.readiness-path"));
    assertEquals("alive", c.getString("akka.management.health-checks.liveness-path"));
    assertEquals(transport, c.getString("akka.remote.artery.transport"));
    assertEquals("0.0.0.0", c.getString("akka.remote.artery.bind.hostname"));
    assertTrue(c.getBoolean("akka.coordinated-shutdown.run-by-jvm-shutdown-hook"));
    assertEquals(
        "akka.cluster.sbr.SplitBrainResolverProvider",
        c.getString("akka.cluster.downing-provider-class"));
    assertEquals("slick.jdbc.PostgresProfile$", c.getString("verity.persistence.profile"));
    assertEquals("org.postgresql.Driver", c.getString("verity.persistence.driver"));
    assertEquals(
        "jdbc:postgresql://db:5432/verity",
        c.getString("akka-persistence-jdbc.shared-databases.verity.db.url"));
    RunPlan.from(c); // every verity setting still valid
  }

  @Test
  void shouldLetFlagsOverrideTheProfileAndLeaveTheDefaultsWithoutIt() {
    Map<String, Object> flags =
        Map.of(
            "verity.persistence.url", "jdbc:postgresql://db:5432/verity",
            "akka.remote.artery.transport", "aeron-udp");
    Config c = VerityConfig.load(flags, null, DeploymentProfile.K8S);
    assertEquals("aeron-udp", c.getString("akka.remote.artery.transport"));

    Config none = VerityConfig.load(Map.of(), null, DeploymentProfile.NONE);
    assertEquals("127.0.0.1", none.getString("akka.remote.artery.canonical.hostname"));
    assertEquals("org.h2.Driver", none.getString("verity.persistence.driver"));
    assertTrue(!none.getString("akka.discovery.method").equals("kubernetes-api"));
  }

  @Test
  void shouldAskForTheDatabaseUrlWithTheK8sProfile() {
    // An empty URL, as when VERITY_DB_URL is unset (a flag overrides whatever this machine sets).
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                VerityConfig.load(
                    Map.of("verity.persistence.url", ""), null, DeploymentProfile.K8S));
    assertTrue(e.getMessage().contains("VERITY_DB_URL"), e.getMessage());
  }

  private static String envOr(String name, String otherwise) {
    String value = System.getenv(name);
    return value == null ? otherwise : value;
  }

  @Test
  void shouldRefuseSeedNodesWithBootstrap() {
    assertUsageError(
        run("node", "--roles", "reward", "--bootstrap", "--seed-nodes", "127.0.0.1:25520"),
        "--seed-nodes and cluster bootstrap (--bootstrap) exclude each other");
  }
}
