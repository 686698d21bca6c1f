package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} driven through {@code
 * chromedriver}) against a real {@code verity dev} process with a console token: every page renders
 * live data, the actor table updates in place, the charts draw points, pause stops new trajectories
 * and resume restarts them, requests without the token are refused, and {@code /metrics} parses as
 * Prometheus text with per-actor series. Screenshots of each page go to {@code
 * target/console-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  private static final String TOKEN = "console-test-token-0123456789";
  private static final Pattern URL = Pattern.compile("console: (http://127\\.0\\.0\\.1:\\d+/)");
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path data;

  private VerityProcess dev;
  private String base;
  private ChromeDriver browser;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    dev =
        new VerityProcess(
            "dev",
            "--fresh",
            "--data-dir",
            data.toString(),
            "--max-minutes",
            "10",
            "--console-port",
            "0",
            "--console-token",
            TOKEN);
    String line = dev.await(l -> URL.matcher(l).find(), WAIT.toSeconds(), "the console's address");
    Matcher m = URL.matcher(line);
    assertTrue(m.find(), line);
    base = m.group(1);
    assertFalse(String.join("\n", dev.lines).contains(TOKEN), "the token must never be printed");

    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
        "--user-data-dir=" + Files.createTempDirectory(data, "chromium"));
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .build(),
            options);
    Files.createDirectories(SCREENSHOTS);
    // The one visit with the token: it becomes an HttpOnly cookie and leaves the address bar.
    browser.get(base + "?token=" + TOKEN);
    waitFor(() -> browser.getCurrentUrl().endsWith("/cluster"));
    assertFalse(browser.getCurrentUrl().contains(TOKEN));
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (dev != null) {
      dev.process.destroy();
      dev.waitForExit(120);
      assertFalse(String.join("\n", dev.lines).contains(TOKEN), "the token must never be printed");
    }
  }

  @Test
  @Order(1)
  void requestsWithoutTheTokenAreRefused() throws Exception {
    for (String path :
        List.of("api/cluster", "api/actors", "metrics", "cluster", "static/common.js")) {
      assertEquals(401, get(path, null).statusCode(), path + " without a token");
      assertEquals(401, get(path, "wrong-token-wrong-token").statusCode(), path + " wrong token");
    }
    assertEquals(200, get("api/cluster", TOKEN).statusCode());
    HttpResponse<String> noHeader =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "api/rollouts/pause"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, noHeader.statusCode(), "an action without X-Verity-Console");
  }

  @Test
  @Order(2)
  void metricsParseAsPrometheusTextWithPerActorSeries() throws Exception {
    waitFor(() -> metricFamilies().containsKey("verity_actor_processed_total"));
    Map<String, MetricFamily> families = metricFamilies();
    Set<String> kinds = new HashSet<>();
    for (Metric metric : families.get("verity_actor_processed_total").getMetrics()) {
      Map<String, String> labels = metric.getLabels();
      assertTrue(labels.get("actor").startsWith("dev:"), labels.toString());
      assertEquals("dev", labels.get("node"));
      assertFalse(labels.get("role").isBlank());
      kinds.add(labels.get("kind"));
    }
    waitFor(
        () ->
            actorKinds()
                .containsAll(List.of("task-source", "rollout-worker", "verifier", "learner")));
    for (String name :
        List.of(
            "verity_actor_queue_depth",
            "verity_actor_in_flight",
            "verity_actor_latency_p99_seconds",
            "verity_node_heap_used_bytes",
            "verity_verifier_verdicts_total",
            "verity_batch_reward")) {
      assertTrue(metricFamilies().containsKey(name), name + " in " + families.keySet());
    }
    assertFalse(kinds.isEmpty());
  }

  @Test
  @Order(3)
  void clusterPageShowsTheNodeWithHeapAndCpu() throws Exception {
    open("cluster");
    WebElement row = waitForElement(By.cssSelector("#members tbody tr[data-address]"));
    waitFor(() -> !cell(row, ".c-heap").isBlank() && !cell(row, ".c-heap").equals("–"));
    assertEquals("Up", cell(row, ".c-status"));
    assertTrue(cell(row, ".c-roles").contains("rollout"), cell(row, ".c-roles"));
    waitFor(() -> cell(row, ".c-cpu").contains("%"));
    screenshot("cluster");
  }

  @Test
  @Order(4)
  void actorsTableListsEveryKindAndUpdatesInPlace() throws Exception {
    open("actors");
    for (String actor :
        List.of("dev:task-source", "dev:rollout-0", "dev:verifier-arith", "dev:learner")) {
      waitForElement(By.cssSelector("#actors tr[data-actor='" + actor + "']"));
    }
    WebElement worker =
        browser.findElement(By.cssSelector("#actors tr[data-actor='dev:rollout-0']"));
    WebElement processed = worker.findElement(By.cssSelector("td[data-key='processed']"));
    String first = processed.getText();
    waitFor(() -> !processed.getText().equals(first));
    // The same element, changed in place: a replaced row would make these references stale.
    assertEquals("dev:rollout-0", worker.getAttribute("data-actor"));
    assertFalse(worker.findElement(By.cssSelector("td[data-key='state']")).getText().isBlank());
    screenshot("actors");
  }

  @Test
  @Order(5)
  void trainingChartsDrawPoints() throws Exception {
    open("training");
    waitFor(() -> points("batchReward") >= 3 && points("loss") >= 3 && points("passAt1") >= 1);
    for (String metric :
        List.of("approxKl", "entropy", "gradNorm", "clipFraction", "meanStaleness")) {
      assertTrue(points(metric) >= 3, metric);
    }
    screenshot("training");
  }

  @Test
  @Order(6)
  void trajectoriesCanBeFilteredAndInspected() throws Exception {
    open("trajectories");
    waitForElement(By.cssSelector("#trajectories tbody tr[data-id]"));
    new Select(browser.findElement(By.id("filter-verdict"))).selectByValue("wrong");
    // The list changes every second: read all verdicts in one script call, not row by row.
    waitFor(
        () -> {
          List<String> verdicts = shownVerdicts();
          return !verdicts.isEmpty() && verdicts.stream().allMatch(v -> v.equals("wrong"));
        });
    // Freeze the list, so that the row clicked is still the one shown.
    browser.findElement(By.id("freeze")).click();
    assertTrue(shownVerdicts().stream().allMatch(v -> v.equals("wrong")));
    browser.findElement(By.cssSelector("#trajectories tbody tr[data-id]")).click();
    WebElement detail = waitForElement(By.id("trajectory-detail"));
    waitFor(
        () ->
            detail.isDisplayed()
                && detail.findElement(By.cssSelector(".prompt")).getText().contains("="));
    assertEquals("wrong", detail.findElement(By.cssSelector(".verdict")).getText().trim());
    screenshot("trajectories");
  }

  @Test
  @Order(7)
  void verifiersPageShowsTheSuite() throws Exception {
    open("verifiers");
    WebElement row = waitForElement(By.cssSelector("#verifier-suites tr[data-suite='arith']"));
    waitFor(() -> !cell(row, ".c-scored").isBlank() && !cell(row, ".c-scored").equals("0"));
    assertEquals("closed", cell(row, ".c-breaker"));
    screenshot("verifiers");
  }

  @Test
  @Order(8)
  void pauseStopsNewTrajectoriesAndResumeRestartsThem() throws Exception {
    open("actors");
    WebElement state = waitForElement(By.id("rollouts-state"));
    waitFor(() -> state.getText().equals("running"));
    browser.findElement(By.id("rollouts-toggle")).click();
    waitFor(() -> state.getText().equals("paused"));
    waitFor(() -> taskSourceState().equals("paused"));
    // Batches already leased finish; then the count of generated trajectories stands still.
    long[] previous = {-1};
    int[] unchanged = {0};
    waitFor(
        () -> {
          long now = generated();
          unchanged[0] = now == previous[0] ? unchanged[0] + 1 : 0;
          previous[0] = now;
          return unchanged[0] >= 4;
        });
    screenshot("actors-paused");
    long paused = generated();
    browser.findElement(By.id("rollouts-toggle")).click();
    waitFor(() -> state.getText().equals("running"));
    waitFor(() -> generated() > paused);
  }

  // ---- helpers ----

  private void open(String page) {
    browser.get(base + page);
    waitFor(() -> "true".equals(browser.findElement(By.tagName("body")).getAttribute("data-live")));
  }

  private long points(String metric) {
    Object n =
        ((JavascriptExecutor) browser)
            .executeScript(
                "const c = window.verityCharts && window.verityCharts[arguments[0]];"
                    + " if (!c) return 0;"
                    + " return c.data[1].filter(v => v !== null && v !== undefined).length;",
                metric);
    return ((Number) n).longValue();
  }

  @SuppressWarnings("unchecked")
  private List<String> shownVerdicts() {
    return (List<String>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return Array.from(document.querySelectorAll("
                    + "'#trajectories tbody tr[data-id]:not([hidden]) .c-verdict'))"
                    + ".map(e => e.textContent.trim());");
  }

  private static String cell(WebElement row, String css) {
    return row.findElement(By.cssSelector(css)).getText().trim();
  }

  private WebElement waitForElement(By by) {
    return new WebDriverWait(browser, WAIT)
        .until(d -> d.findElements(by).stream().findFirst().orElse(null));
  }

  private void waitFor(java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, WAIT, Duration.ofSeconds(1))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> condition.getAsBoolean());
  }

  private void screenshot(String name) throws Exception {
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  private HttpResponse<String> get(String path, String token) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode api(String path) {
    HttpResponse<String> r = get(path, TOKEN);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    try {
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Set<String> actorKinds() {
    Set<String> kinds = new HashSet<>();
    api("api/actors").path("actors").forEach(a -> kinds.add(a.path("kind").asText()));
    return kinds;
  }

  private String taskSourceState() {
    for (JsonNode a : api("api/actors").path("actors")) {
      if (a.path("kind").asText().equals("task-source")) {
        return a.path("state").asText();
      }
    }
    return "";
  }

  /** Trajectories generated by all rollout workers so far. */
  private long generated() {
    long total = 0;
    for (JsonNode a : api("api/actors").path("actors")) {
      if (a.path("kind").asText().equals("rollout-worker")) {
        total += a.path("processed").asLong();
      }
    }
    return total;
  }

  private Map<String, MetricFamily> metricFamilies() {
    HttpResponse<String> r = get("metrics", TOKEN);
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    Map<String, MetricFamily> out = new java.util.TreeMap<>();
    try {
      TextPrometheusMetricDataParser parser =
          new TextPrometheusMetricDataParser(
              new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
      List<MetricFamily> all = new ArrayList<>();
      for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
        all.add(f);
      }
      all.forEach(f -> out.put(f.getName(), f));
    } catch (Exception e) {
      throw new IllegalStateException("metrics do not parse: " + e, e);
    }
    return out;
  }
}
