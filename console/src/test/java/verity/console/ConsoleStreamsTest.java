package verity.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.testing.TestNodes;

/** Live streams are capped per client, and a closed one gives its slot back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleStreamsTest {
  @TempDir static Path dataDir;

  private ActorTestKit testKit;
  private Console console;
  private final HttpClient http = HttpClient.newHttpClient();

  /** A node and console of their own for each test: streams and their slots start from none. */
  @BeforeEach
  void start(TestInfo test) throws Exception {
    testKit =
        TestNodes.withJournal(
            "console-streams",
            Files.createTempDirectory(dataDir, test.getDisplayName().length() + "-"));
    console =
        Console.start(testKit.system(), new ConsoleSettings("127.0.0.1", 0, Optional.empty()))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    console.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  private HttpResponse<InputStream> open(String page) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(console.url() + "api/" + page + "/stream")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  @Test
  void shouldSendAHeartbeatOnAStreamWithNothingNewToSay() throws Exception {
    // Nothing trains here: after its first increment the training stream has nothing to send.
    HttpResponse<InputStream> training = open("training");
    try (InputStream in = training.body()) {
      String first = readUntilBlankLine(in);
      assertTrue(first.contains("append"), first);
      long started = System.nanoTime();
      // Read off this thread: without a heartbeat nothing comes, and the read would not return.
      String next =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return readUntilBlankLine(in);
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .get(25, TimeUnit.SECONDS);
      double waited = (System.nanoTime() - started) / 1e9;
      assertFalse(next.contains("append"), next);
      assertTrue(waited > 10 && waited < 25, "a heartbeat after " + waited + " s: " + next);
    }
  }

  /** The next event's lines, up to the blank line that ends it. */
  private static String readUntilBlankLine(InputStream in) throws java.io.IOException {
    StringBuilder event = new StringBuilder();
    int previous = -1;
    int c;
    while ((c = in.read()) >= 0) {
      event.append((char) c);
      if (c == '\n' && previous == '\n') {
        return event.toString();
      }
      previous = c;
    }
    throw new java.io.EOFException("the stream ended after " + event);
  }

  @Test
  void shouldRefuseAClientsStreamsPastItsShareUntilOneCloses() throws Exception {
    List<HttpResponse<InputStream>> held = new ArrayList<>();
    String[] pages = {"cluster", "actors", "verifiers", "training"};
    for (int i = 0; i < ConsoleServer.STREAMS_PER_CLIENT; i++) {
      HttpResponse<InputStream> r = open(pages[i % pages.length]);
      assertEquals(200, r.statusCode(), "stream " + (i + 1));
      held.add(r);
    }
    HttpResponse<InputStream> refused = open("cluster");
    assertEquals(429, refused.statusCode());
    refused.body().close();

    held.remove(0).body().close();
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          HttpResponse<InputStream> again = open("cluster");
          try {
            assertEquals(200, again.statusCode(), "a slot given back");
          } finally {
            if (again.statusCode() != 200) {
              again.body().close();
            } else {
              held.add(again);
            }
          }
          return null;
        });
    for (HttpResponse<InputStream> r : held) {
      r.body().close();
    }
  }
}
