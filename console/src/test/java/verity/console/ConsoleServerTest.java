package verity.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.typed.Cluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.testing.TestNodes;

/** The console's routes over real HTTP on a one-node cluster with no run: security and errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleServerTest {
  private static final String TOKEN = "server-test-token-0123456789";

  @TempDir static Path dataDir;

  private ActorTestKit testKit;
  private Console console;
  private String base;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    testKit = TestNodes.withJournal("console", dataDir);
    console =
        Console.start(testKit.system(), new ConsoleSettings("127.0.0.1", 0, Optional.of(TOKEN)))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    base = console.url();
  }

  @AfterAll
  void stop() throws Exception {
    console.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + TOKEN);
  }

  private HttpRequest.Builder action(String path, String body) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + TOKEN)
        .header(ConsoleServer.ACTION_HEADER, "1")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  @Test
  void aPageVisitWithTheTokenSetsAStrictHttpOnlyCookieAndDropsItFromTheAddress() throws Exception {
    HttpResponse<String> login =
        send(HttpRequest.newBuilder(URI.create(base + "actors?token=" + TOKEN)));
    assertEquals(303, login.statusCode());
    assertEquals("/actors", login.headers().firstValue("Location").orElseThrow());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.startsWith(ConsoleServer.COOKIE + "=" + TOKEN), cookie);
    assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
    HttpResponse<String> page =
        send(
            HttpRequest.newBuilder(URI.create(base + "actors"))
                .header("Cookie", ConsoleServer.COOKIE + "=" + TOKEN));
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<table"), page.body());
    assertEquals(
        401, send(HttpRequest.newBuilder(URI.create(base + "actors?token=nope"))).statusCode());
    assertEquals(
        401,
        send(HttpRequest.newBuilder(URI.create(base + "api/actors"))
                .header("Cookie", ConsoleServer.COOKIE + "=nope"))
            .statusCode());
  }

  @Test
  void theCookieIsSecureWhenTheBrowserCameOverTls() throws Exception {
    String plain =
        send(HttpRequest.newBuilder(URI.create(base + "actors?token=" + TOKEN)))
            .headers()
            .firstValue("Set-Cookie")
            .orElseThrow();
    assertFalse(plain.contains("Secure"), plain);
    String behindTls =
        send(HttpRequest.newBuilder(URI.create(base + "actors?token=" + TOKEN))
                .header("X-Forwarded-Proto", "https"))
            .headers()
            .firstValue("Set-Cookie")
            .orElseThrow();
    assertTrue(behindTls.contains("Secure"), behindTls);
  }

  @Test
  void staticFilesAreServedAndNothingOutsideThem() throws Exception {
    HttpResponse<String> js = send(get("static/common.js"));
    assertEquals(200, js.statusCode());
    assertTrue(
        js.headers().firstValue("Content-Type").orElseThrow().startsWith("application/javascript"));
    assertEquals(200, send(get("assets/uplot/uPlot.iife.min.js")).statusCode());
    assertEquals(200, send(get("assets/uplot/uPlot.min.css")).statusCode());
    assertEquals(404, send(get("static/..%2F..%2Freference.conf")).statusCode());
    assertEquals(404, send(get("static/nothing.js")).statusCode());
  }

  @Test
  void badQueriesAndActionsAreAnsweredWithTheirReason() throws Exception {
    HttpResponse<String> version = send(get("api/trajectories?version=abc"));
    assertEquals(400, version.statusCode());
    assertTrue(version.body().contains("version must be a whole number"), version.body());
    assertEquals(400, send(get("api/training?since=x")).statusCode());

    HttpResponse<String> pause = send(action("api/rollouts/pause", ""));
    assertEquals(503, pause.statusCode(), "no task source runs here");
    assertTrue(pause.body().contains("no task source"), pause.body());

    String self = Cluster.get(testKit.system()).selfMember().address().toString();
    HttpResponse<String> drainSelf =
        send(action("api/nodes/drain", "{\"address\":\"" + self + "\"}"));
    assertEquals(409, drainSelf.statusCode(), drainSelf.body());
    assertEquals(
        404,
        send(action("api/nodes/drain", "{\"address\":\"akka://verity@10.9.9.9:1\"}")).statusCode());
    assertEquals(400, send(action("api/nodes/drain", "not json")).statusCode());
    HttpResponse<String> noHeader =
        send(get("api/nodes/drain").POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(403, noHeader.statusCode());
  }

  @Test
  void streamsSendASnapshotEverySecond() throws Exception {
    HttpResponse<Stream<String>> stream =
        http.send(get("api/cluster/stream").build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    assertTrue(
        stream.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
    // Akka writes each event as its data line, then its event line, then a blank line.
    Iterator<String> lines = stream.body().iterator();
    int snapshots = 0;
    String previous = "";
    while (snapshots < 2) {
      String line = lines.next();
      if (line.equals("event:snapshot")) {
        assertTrue(previous.startsWith("data:{\"self\":\"akka://"), previous);
        snapshots++;
      }
      previous = line;
    }
    stream.body().close();
  }

  @Test
  void metricsNeedTheTokenToo() throws Exception {
    assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + "metrics"))).statusCode());
    HttpResponse<String> m = send(get("metrics"));
    assertEquals(200, m.statusCode());
    assertTrue(m.body().contains("# TYPE verity_learner_step gauge"), m.body());
  }
}
