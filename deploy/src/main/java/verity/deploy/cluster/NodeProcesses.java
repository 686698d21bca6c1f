package verity.deploy.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import verity.deploy.Main;

/**
 * The node JVMs that {@code verity local} starts: each runs {@code verity node} on the launcher's
 * class path, writes its output to {@code nodes/NAME.out} and its log to {@code nodes/NAME.log}
 * under the data directory, and leaves the cluster when the launcher ends, however it ends.
 * Stopping asks every node to leave (SIGTERM: Akka's coordinated shutdown) and kills those that
 * have not left within the stop timeout. Written by hand because a node is a plain {@code java}
 * process: {@link ProcessBuilder} does all there is to do.
 */
public final class NodeProcesses {

  /** One node to start. */
  public record Spec(String name, List<String> roles, int port) {}

  /** A started node. */
  public record Node(Spec spec, Process process) {
    long pid() {
      return process.pid();
    }
  }

  private final Path dataDir;
  private final Path runConfig;
  private final NodeAddress seed;
  private final Transport transport;
  private final NodeJavaOptions javaOptions;
  private final PrintWriter out;
  private final List<Node> nodes = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;

  public NodeProcesses(
      Path dataDir,
      Path runConfig,
      NodeAddress seed,
      Transport transport,
      NodeJavaOptions javaOptions,
      PrintWriter out) {
    this.dataDir = dataDir;
    this.runConfig = runConfig;
    this.seed = seed;
    this.transport = transport;
    this.javaOptions = javaOptions;
    this.out = out;
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Starts a node's JVM; when it exits while the cluster is not stopping, reports it on {@code out}
   * and tells {@code exited}.
   */
  public Node start(Spec spec, Consumer<Node> exited) throws IOException {
    Path logs = dataDir.resolve("nodes");
    Files.createDirectories(logs);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(inheritedJavaOptions());
    command.addAll(javaOptions.forRoles(spec.roles()));
    command.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(
        List.of(
            "node",
            "--name",
            spec.name(),
            "--roles",
            String.join(",", spec.roles()),
            "--hostname",
            seed.host(),
            "--port",
            Integer.toString(spec.port()),
            "--seed-nodes",
            seed.toString(),
            "--transport",
            transport.configName,
            "--data-dir",
            dataDir.toString(),
            "--config",
            runConfig.toString(),
            "--parent-pid",
            Long.toString(ProcessHandle.current().pid())));
    Path output = logs.resolve(spec.name() + ".out");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
            .start();
    Node node = new Node(spec, process);
    nodes.add(node);
    out.printf(
        Locale.ROOT,
        "node %s started: pid %d, port %d, roles %s; output in %s%n",
        spec.name(),
        process.pid(),
        spec.port(),
        String.join(",", spec.roles()),
        output);
    process
        .onExit()
        .thenAccept(
            p -> {
              cleanUp(spec);
              if (!stopping) {
                out.printf(
                    Locale.ROOT,
                    "node %s exited with code %d%s%n",
                    spec.name(),
                    p.exitValue(),
                    p.exitValue() == 0 ? "" : exitReason(output));
                exited.accept(node);
              }
            });
    return node;
  }

  /**
   * Asks every node still running to leave the cluster with {@code leave} (none: SIGTERM, which
   * runs the node's coordinated shutdown too), waits up to {@code timeout}, sends SIGTERM to what
   * still runs, and kills what has not ended 10 s later.
   */
  public void stopAll(Duration timeout, Consumer<Spec> leave) {
    stopping = true;
    for (Node n : nodes) {
      if (n.process().isAlive()) {
        if (leave == null) {
          n.process().destroy();
        } else {
          leave.accept(n.spec());
        }
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Node n : nodes) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!n.process().waitFor(left, TimeUnit.NANOSECONDS)) {
          out.printf(
              Locale.ROOT,
              "node %s did not leave within %s; terminating it%n",
              n.spec().name(),
              timeout);
          n.process().destroy();
          if (!n.process().waitFor(10, TimeUnit.SECONDS)) {
            n.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        n.process().destroyForcibly();
      }
      cleanUp(n.spec());
    }
  }

  /**
   * Why a node ended, for the launcher's line: the last line its output holds (a node says why it
   * exits as its last word: downed, could not join, a failed start), or nothing when it has none.
   */
  static String exitReason(Path output) {
    try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
      long start = Math.max(0, file.length() - 4096);
      byte[] tail = new byte[(int) (file.length() - start)];
      file.seek(start);
      file.readFully(tail);
      String[] lines = new String(tail, StandardCharsets.UTF_8).strip().split("\n");
      String last = lines[lines.length - 1].strip();
      if (last.isEmpty()) {
        return "";
      }
      return ": " + (last.length() > 300 ? last.substring(0, 300) + "..." : last);
    } catch (IOException e) {
      return " (its output cannot be read: " + e.getMessage() + ")";
    }
  }

  /** What a killed node leaves behind: its Aeron directory. */
  private void cleanUp(Spec spec) {
    if (transport == Transport.AERON_UDP) {
      for (Path d : AeronDirectories.candidates(seed.host(), spec.port())) {
        if (!AeronDirectories.delete(d)) {
          out.println("cannot delete the Aeron directory of " + spec.name() + ": " + d);
        }
      }
    }
  }

  /** This JVM's options a node needs as well: system properties and the stack size. */
  private static List<String> inheritedJavaOptions() {
    List<String> kept = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      boolean property = arg.startsWith("-D") && !arg.startsWith("-Dverity.log.");
      if (property || arg.startsWith("-Xss")) {
        kept.add(arg);
      }
    }
    return kept;
  }
}
