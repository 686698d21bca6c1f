package verity.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.testing.TestNodes;

/**
 * A console without a token (loopback only) against a web page that rebinds its DNS name to
 * 127.0.0.1: the page's requests reach the port but name the page's host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleHostTest {
  @TempDir static Path dataDir;

  private ActorTestKit testKit;
  private Console console;

  @BeforeAll
  void start() throws Exception {
    testKit = TestNodes.withJournal("console-host", dataDir);
    console =
        Console.start(testKit.system(), new ConsoleSettings("127.0.0.1", 0, Optional.empty()))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    console.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  /** The raw response to a request that sends {@code host} as its Host header. */
  private String request(String method, String path, String host, String... headers)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", console.port())) {
      StringBuilder r = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      r.append("Host: ").append(host).append("\r\nConnection: close\r\n");
      for (String h : headers) {
        r.append(h).append("\r\n");
      }
      r.append("Content-Length: 0\r\n\r\n");
      socket.getOutputStream().write(r.toString().getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return all.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldRefuseReadsAndActionsAddressedToAnotherHost() throws IOException {
    String host = "rebound.attacker.example:" + console.port();
    String read = request("GET", "/api/cluster", host);
    assertTrue(read.startsWith("HTTP/1.1 403"), read);
    assertTrue(read.contains("localhost"), read);
    String pause =
        request("POST", "/api/rollouts/pause", host, ConsoleServer.ACTION_HEADER + ": 1");
    assertTrue(pause.startsWith("HTTP/1.1 403"), pause);
    assertFalse(pause.contains("\"paused\""), pause);
  }

  @Test
  void shouldAnswerRequestsAddressedToALoopbackName() throws IOException {
    for (String host : new String[] {"localhost", "127.0.0.1", "[::1]", "LOCALHOST"}) {
      String page = request("GET", "/api/cluster", host + ":" + console.port());
      assertTrue(page.startsWith("HTTP/1.1 200"), host + ": " + page);
    }
  }

  @Test
  void shouldForbidFramingAndForeignScriptsOnEveryResponse() throws IOException {
    for (String path : new String[] {"/cluster", "/api/cluster", "/static/common.js"}) {
      String response = request("GET", path, "localhost:" + console.port());
      assertTrue(response.startsWith("HTTP/1.1 200"), path + ": " + response);
      String policy =
          response
              .lines()
              .filter(l -> l.toLowerCase().startsWith("content-security-policy:"))
              .findFirst()
              .orElse("");
      assertTrue(policy.contains("frame-ancestors 'none'"), path + ": " + response);
      assertTrue(policy.contains("script-src 'self'"), path + ": " + policy);
    }
  }

  @Test
  void shouldKnowLoopbackNames() {
    for (String yes : new String[] {"localhost", "127.0.0.1", "127.1.2.254", "[::1]", "::1"}) {
      assertTrue(ConsoleServer.isLoopbackName(yes), yes);
    }
    for (String no :
        new String[] {"", "evil.example", "127.0.0.1.evil.example", "localhost.evil", "10.0.0.1"}) {
      assertFalse(ConsoleServer.isLoopbackName(no), no);
    }
    assertEquals(false, ConsoleServer.isLoopbackName("127.0.0.256"));
  }
}
