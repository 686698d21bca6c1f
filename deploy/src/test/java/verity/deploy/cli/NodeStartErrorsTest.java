package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verity.deploy.cli.CommandLineTest.assertUsageError;
import static verity.deploy.cli.CommandLineTest.run;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.cluster.NodeAddress;

/** A node or local cluster that cannot start says why in one line, naming what is wrong. */
class NodeStartErrorsTest {
  @TempDir Path dir;

  @Test
  void shouldRefuseAnUnknownRoleNamingTheKnownOnes() {
    assertUsageError(
        run("node", "--roles", "rollout,trainer", "--data-dir", dir.toString()),
        "unknown role 'trainer'",
        "rollout, reward, learner, console");
  }

  @Test
  void shouldRefuseAPortAlreadyInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertUsageError(
          run(
              "node",
              "--roles",
              "reward",
              "--port",
              Integer.toString(port),
              "--data-dir",
              dir.toString()),
          "port " + port + " on 127.0.0.1 is already in use",
          "--port");
    }
  }

  @Test
  void shouldRefuseAeronBeyondLoopbackUnlessTheNetworkIsSaidToBeTrusted() throws Exception {
    // Aeron UDP has neither TLS nor authentication in Akka: anyone who reaches the port can join.
    Path config = dir.resolve("wide.conf");
    Files.writeString(config, "akka.remote.artery.bind.hostname = \"0.0.0.0\"\n");
    assertUsageError(
        run(
            "node",
            "--roles",
            "reward",
            "--transport",
            "aeron-udp",
            "--config",
            config.toString(),
            "--data-dir",
            dir.toString()),
        "aeron-udp",
        "0.0.0.0",
        "verity.cluster.trusted-network");
  }

  @Test
  void shouldRefuseMalformedSeedNodesAndTransports() {
    assertUsageError(
        run("node", "--roles", "reward", "--seed-nodes", "127.0.0.1", "--data-dir", dir.toString()),
        "seed node '127.0.0.1' is not HOST:PORT");
    assertUsageError(
        run(
            "node",
            "--roles",
            "reward",
            "--seed-nodes",
            "127.0.0.1:70000",
            "--data-dir",
            dir.toString()),
        "port 70000 is not in 1..65535");
    assertUsageError(
        run("node", "--roles", "reward", "--transport", "udp", "--data-dir", dir.toString()),
        "unknown transport 'udp'",
        "tcp, aeron-udp");
    assertUsageError(run("local", "--learner", "0"), "--learner 0 is not in 1..64");
  }

  @Test
  void shouldGiveUpOnAnUnreachableSeedNodeWithinTheJoinTimeout() throws Exception {
    Path settings = dir.resolve("node.conf");
    Files.writeString(settings, "verity.node.join-timeout = 4s\n");
    int nobody = NodeAddress.freePort("127.0.0.1");
    VerityProcess node =
        new VerityProcess(
            "node",
            "--roles",
            "reward",
            "--port",
            Integer.toString(NodeAddress.freePort("127.0.0.1")),
            "--seed-nodes",
            "127.0.0.1:" + nobody,
            "--data-dir",
            dir.toString(),
            "--config",
            settings.toString());
    assertEquals(1, node.waitForExit(120), node.tail());
    String message =
        node.await(l -> l.startsWith("verity node: could not join"), 1, "the error line");
    assertTrue(message.contains("127.0.0.1:" + nobody), message);
    assertTrue(message.contains("within 4s") || message.contains("within PT4S"), message);
  }
}
