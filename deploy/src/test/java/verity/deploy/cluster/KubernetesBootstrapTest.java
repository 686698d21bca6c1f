package verity.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.cli.VerityConfig;

/**
 * Nodes of the k8s profile form one cluster through Akka Cluster Bootstrap from the pods a
 * Kubernetes API lists, and the leader downs a node whose pod was deleted. The API is fabric8's
 * mock server over TLS (akka-discovery-kubernetes-api speaks only https) on the port surefire names
 * in {@code VERITY_TEST_K8S_API_PORT}; every pod runs on 127.0.0.1 with its own management and
 * Artery ports.
 */
class KubernetesBootstrapTest {
  private static final String NAMESPACE = "test";
  private static final int NODES = 3;
  private static final String HOST_VARIABLE = "VERITY_TEST_K8S_API_HOST";
  private static final String PORT_VARIABLE = "VERITY_TEST_K8S_API_PORT";
  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir Path dir;

  private KubernetesMockServer api;
  private KubernetesClient client;
  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @AfterEach
  void stop() {
    systems.forEach(s -> ActorTestKit.shutdown(s, Duration.ofSeconds(20), false));
    if (client != null) {
      client.close();
    }
    if (api != null) {
      api.destroy();
    }
  }

  @Test
  void shouldFormOneClusterFromThePodsAndDownANodeWhosePodWasDeleted() throws Exception {
    String apiPort = System.getenv(PORT_VARIABLE);
    assertNotNull(apiPort, PORT_VARIABLE + " is not set: run this test through Maven (surefire)");
    startApi(Integer.parseInt(apiPort));

    int[] management = new int[NODES];
    int[] remoting = new int[NODES];
    for (int i = 0; i < NODES; i++) {
      management[i] = NodeAddress.freePort("127.0.0.1");
      remoting[i] = NodeAddress.freePort("127.0.0.1");
      client.pods().inNamespace(NAMESPACE).resource(pod(i, management[i], remoting[i])).create();
    }
    for (int i = 0; i < NODES; i++) {
      ActorSystem<Void> system =
          ActorSystem.create(
              Behaviors.empty(), ClusterNode.SYSTEM, nodeConfig(management[i], remoting[i]));
      systems.add(system);
      ClusterFormation.bootstrap(system);
    }

    TestProbe<Void> probe = TestProbe.create(systems.get(0));
    probe.awaitAssert(
        Duration.ofSeconds(40),
        Duration.ofMillis(200),
        () -> {
          Address leader = Cluster.get(systems.get(0)).state().getLeader();
          assertNotNull(leader, "no leader yet");
          for (ActorSystem<Void> s : systems) {
            assertEquals(NODES, upMembers(s).size(), "members Up at " + s.address());
            assertEquals(leader, Cluster.get(s).state().getLeader(), "leader at " + s.address());
          }
          return null;
        });
    assertEquals(200, status(management[0], "ready"), "/ready of a member that is Up");
    assertEquals(200, status(management[0], "alive"), "/alive");

    // Delete the pod of a node that is not the leader: the leader's watcher downs it.
    Address leader = Cluster.get(systems.get(0)).state().getLeader();
    int gone = -1;
    for (int i = 0; i < NODES && gone < 0; i++) {
      if (!Cluster.get(systems.get(i)).selfMember().address().equals(leader)) {
        gone = i;
      }
    }
    ActorSystem<Void> goneSystem = systems.get(gone);
    Address goneAddress = Cluster.get(goneSystem).selfMember().address();
    assertTrue(client.pods().inNamespace(NAMESPACE).withName("verity-" + gone).delete().size() > 0);

    List<ActorSystem<Void>> remaining =
        systems.stream().filter(s -> s != goneSystem).collect(Collectors.toList());
    probe.awaitAssert(
        Duration.ofSeconds(20),
        Duration.ofMillis(200),
        () -> {
          for (ActorSystem<Void> s : remaining) {
            Set<Address> members =
                StreamSupport.stream(Cluster.get(s).state().getMembers().spliterator(), false)
                    .map(Member::address)
                    .collect(Collectors.toSet());
            assertTrue(!members.contains(goneAddress), goneAddress + " still a member at " + s);
            assertEquals(NODES - 1, upMembers(s).size(), "members Up at " + s.address());
          }
          // A downed node shuts its actor system down.
          assertTrue(goneSystem.whenTerminated().isCompleted(), "downed node still running");
          return null;
        });
  }

  /** The mock API server over TLS, for a self-signed certificate of localhost and 127.0.0.1. */
  private void startApi(int port) throws Exception {
    Path keyStore = dir.resolve("api.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "api",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost,ip:127.0.0.1",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        new String(PASSWORD),
        "-keypass",
        new String(PASSWORD));
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "api",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        new String(PASSWORD),
        "-file",
        dir.resolve("ca.pem").toString());
    Files.writeString(dir.resolve("token"), "test-token");

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      keys.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    MockWebServer server = new MockWebServer();
    server.useHttps(tls.getSocketFactory(), false);
    // The CRUD dispatcher leaves out the content type; Akka HTTP then will not decode the pod list.
    KubernetesCrudDispatcher json =
        new KubernetesCrudDispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return super.dispatch(request).setHeader("Content-Type", "application/json");
          }
        };
    api = new KubernetesMockServer(new Context(), server, new HashMap<>(), json, false);
    api.init(InetAddress.getByName("127.0.0.1"), port);
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("https://localhost:" + port)
                    .withTrustCerts(true)
                    .withNamespace(NAMESPACE)
                    .build())
            .build();
  }

  private void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("keytool.out").toFile())
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
    assertEquals(
        0,
        p.exitValue(),
        "keytool " + args[0] + ": " + Files.readString(dir.resolve("keytool.out")));
  }

  /** A Running pod of the verity service at 127.0.0.1 with its node's two ports. */
  private static Pod pod(int i, int management, int remoting) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("verity-" + i)
        .withNamespace(NAMESPACE)
        .addToLabels("app", "verity")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("verity")
        .addNewPort()
        .withName("management")
        .withContainerPort(management)
        .endPort()
        .addNewPort()
        .withName("remoting")
        .withContainerPort(remoting)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP("127.0.0.1")
        .endStatus()
        .build();
  }

  /** The k8s profile, with this test's API server, ports and quicker bootstrap and watcher. */
  private com.typesafe.config.Config nodeConfig(int management, int remoting) {
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put("verity.data-dir", dir.resolve("data-" + remoting).toString());
    // Nothing in this test persists: the journal is never opened.
    flags.put("verity.persistence.url", "jdbc:postgresql://127.0.0.1:1/unused");
    flags.put("akka.remote.artery.canonical.hostname", "127.0.0.1");
    flags.put("akka.remote.artery.canonical.port", remoting);
    flags.put("akka.remote.artery.bind.hostname", "127.0.0.1");
    flags.put("akka.management.http.hostname", "127.0.0.1");
    flags.put("akka.management.http.port", management);
    flags.put("akka.management.http.bind-hostname", "127.0.0.1");
    flags.put("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    String k8s = "akka.discovery.kubernetes-api.";
    flags.put(k8s + "api-service-host-env-name", HOST_VARIABLE);
    flags.put(k8s + "api-service-port-env-name", PORT_VARIABLE);
    flags.put(k8s + "api-ca-path", dir.resolve("ca.pem").toString());
    flags.put(k8s + "api-token-path", dir.resolve("token").toString());
    flags.put(k8s + "pod-namespace", NAMESPACE);
    String bootstrap = "akka.management.cluster.bootstrap.";
    flags.put(bootstrap + "contact-point-discovery.required-contact-point-nr", NODES);
    flags.put(bootstrap + "contact-point-discovery.stable-margin", "1s");
    flags.put(bootstrap + "contact-point-discovery.interval", "500ms");
    flags.put(bootstrap + "contact-point.probe-interval", "500ms");
    flags.put("verity.pod-watcher.interval", "500ms");
    return VerityConfig.load(flags, null, DeploymentProfile.K8S);
  }

  private static List<Member> upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .collect(Collectors.toList());
  }

  private static int status(int port, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
