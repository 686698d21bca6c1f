package verity.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

  @BeforeAll
  void start() throws Exception {
    testKit = TestNodes.withJournal("console-streams", dataDir);
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

  private HttpResponse<InputStream> open(String page) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(console.url() + "api/" + page + "/stream")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
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
