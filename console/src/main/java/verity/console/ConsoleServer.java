package verity.console;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Leave;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.Uri;
import akka.http.javadsl.model.headers.Authorization;
import akka.http.javadsl.model.headers.CacheControl;
import akka.http.javadsl.model.headers.CacheDirectives;
import akka.http.javadsl.model.headers.Cookie;
import akka.http.javadsl.model.headers.Host;
import akka.http.javadsl.model.headers.HttpCookie;
import akka.http.javadsl.model.headers.HttpCookiePair;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.headers.SameSite;
import akka.http.javadsl.model.headers.SetCookie;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import verity.actors.protocol.PauseProtocol;

/**
 * The console's HTTP routes: the five pages and their static files, the JSON API behind them, a
 * server-sent-event stream per page, Prometheus metrics, and the operator actions (pause and resume
 * rollouts, drain a node). With a token set, every request must carry it, as {@code Authorization:
 * Bearer}, as the cookie a page visit with {@code ?token=} sets, or (for that visit only) in the
 * query; every action must also carry the header {@code X-Verity-Console}, which a cross-site form
 * cannot send. Without a token (loopback only), a request must be addressed to a loopback name, so
 * that a page using DNS rebinding cannot read or act. Every response carries a Content-Security-
 * Policy that allows the console's own scripts only and no framing; the token's cookie is {@code
 * Secure} when the browser came over TLS.
 */
final class ConsoleServer extends AllDirectives {
  static final String COOKIE = "verity_console_token";

  /**
   * On every response: scripts and everything else only from the console itself (its pages have no
   * inline script; their markup sets inline styles), no framing, no MIME sniffing, no referrer.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'"
          + " data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private static final List<HttpHeader> SECURITY_HEADERS =
      List.of(
          RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
          RawHeader.create("X-Frame-Options", "DENY"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"));

  private static final Pattern IPV4_LOOPBACK =
      Pattern.compile("127(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");
  static final String ACTION_HEADER = "X-Verity-Console";
  static final List<String> PAGES =
      List.of("cluster", "actors", "training", "trajectories", "verifiers");

  private static final Duration LIVE_INTERVAL = Duration.ofSeconds(1);
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

  /** Live streams one client may hold: the five pages open one each, with room for a reload. */
  static final int STREAMS_PER_CLIENT = 8;

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9]+)+");
  private static final String WEB = "verity/console/web/";
  private static final int TRAJECTORY_LIMIT = 200;
  private static final ContentType PROMETHEUS =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final ActorSystem<?> system;
  private final ConsoleModel model;
  private final ConsoleMetrics metrics;
  private final Optional<byte[]> token;
  private final AtomicReference<ActorRef<PauseProtocol.Command>> taskSource;
  private final StreamSlots streams = new StreamSlots(STREAMS_PER_CLIENT);
  private final String uplotDir;

  ConsoleServer(
      ActorSystem<?> system,
      ConsoleModel model,
      ConsoleMetrics metrics,
      Optional<String> token,
      AtomicReference<ActorRef<PauseProtocol.Command>> taskSource,
      String uplotVersion) {
    this.system = system;
    this.model = model;
    this.metrics = metrics;
    this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    this.taskSource = taskSource;
    this.uplotDir = "META-INF/resources/webjars/uplot/" + uplotVersion + "/dist/";
  }

  Route routes() {
    return respondWithHeaders(
        SECURITY_HEADERS,
        () ->
            extractRequest(
                request ->
                    addressedHere(
                        request,
                        () ->
                            tokenLogin(
                                request,
                                () ->
                                    authorized(
                                        request,
                                        () ->
                                            respondWithHeader(
                                                CacheControl.create(CacheDirectives.NO_CACHE),
                                                this::everything))))));
  }

  private Route everything() {
    return concat(
        pathSingleSlash(() -> redirect(Uri.create("/cluster"), StatusCodes.SEE_OTHER)),
        pages(),
        staticFiles(),
        api(),
        path("metrics", () -> get(this::metrics)));
  }

  private Route metrics() {
    return complete(
        HttpResponse.create()
            .withEntity(
                HttpEntities.create(
                    PROMETHEUS, metrics.scrape().getBytes(StandardCharsets.UTF_8))));
  }

  // ---- security ----

  /**
   * Without a token, only a request addressed to a loopback name is answered: a web page whose own
   * DNS name is made to resolve to 127.0.0.1 (DNS rebinding) still sends that name as its Host.
   */
  private Route addressedHere(HttpRequest request, Supplier<Route> inner) {
    if (token.isPresent()
        || request
            .getHeader(Host.class)
            .map(h -> isLoopbackName(h.host().address()))
            .orElse(false)) {
      return inner.get();
    }
    return refuse(
        StatusCodes.FORBIDDEN,
        "without a token the console answers only requests addressed to localhost or a loopback"
            + " address (the request's Host header named another)");
  }

  /** localhost, 127.0.0.0/8 or ::1, as a Host header names them. */
  static boolean isLoopbackName(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.equals("::1") || IPV4_LOOPBACK.matcher(h).matches();
  }

  /** Whether the browser reached the console over TLS, directly or through a proxy that says so. */
  private static boolean overTls(HttpRequest request) {
    return request.getUri().scheme().equals("https")
        || request
            .getHeader("X-Forwarded-Proto")
            .map(h -> h.value().equalsIgnoreCase("https"))
            .orElse(false);
  }

  /** A visit with {@code ?token=}: a right token becomes a cookie and the query is dropped. */
  private Route tokenLogin(HttpRequest request, Supplier<Route> inner) {
    Optional<String> given = request.getUri().query().get("token");
    if (token.isEmpty() || given.isEmpty()) {
      return inner.get();
    }
    if (!matches(given.get())) {
      return refuse(StatusCodes.UNAUTHORIZED, "console token missing or wrong");
    }
    HttpCookie cookie =
        HttpCookie.create(COOKIE, given.get())
            .withHttpOnly(true)
            .withSecure(overTls(request))
            .withPath("/")
            .withSameSite(SameSite.Strict);
    String path = request.getUri().path();
    return respondWithHeader(
        SetCookie.create(cookie),
        () ->
            complete(
                HttpResponse.create()
                    .withStatus(StatusCodes.SEE_OTHER)
                    .addHeader(Location.create(path.isEmpty() ? "/" : path))));
  }

  private Route authorized(HttpRequest request, Supplier<Route> inner) {
    if (token.isEmpty() || carriesToken(request)) {
      return inner.get();
    }
    return refuse(StatusCodes.UNAUTHORIZED, "console token missing or wrong");
  }

  private boolean carriesToken(HttpRequest request) {
    Optional<Authorization> auth = request.getHeader(Authorization.class);
    if (auth.isPresent()
        && auth.get().credentials().scheme().equalsIgnoreCase("bearer")
        && matches(auth.get().credentials().token())) {
      return true;
    }
    Optional<Cookie> cookies = request.getHeader(Cookie.class);
    if (cookies.isPresent()) {
      for (HttpCookiePair pair : cookies.get().getCookies()) {
        if (pair.name().equals(COOKIE) && matches(pair.value())) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean matches(String given) {
    return MessageDigest.isEqual(token.orElseThrow(), given.getBytes(StandardCharsets.UTF_8));
  }

  /** An action: POST with the header a cross-site form cannot set. */
  private Route action(Supplier<Route> inner) {
    return post(
        () ->
            optionalHeaderValueByName(
                ACTION_HEADER,
                h ->
                    h.isPresent()
                        ? inner.get()
                        : refuse(
                            StatusCodes.FORBIDDEN, "actions need the header " + ACTION_HEADER)));
  }

  // ---- pages ----

  private Route pages() {
    List<Route> routes =
        PAGES.stream()
            .map(
                page ->
                    path(
                        page,
                        () ->
                            get(
                                () ->
                                    getFromResource(
                                        WEB + page + ".html", ContentTypes.TEXT_HTML_UTF8))))
            .toList();
    return concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
  }

  private Route staticFiles() {
    return concat(
        pathPrefix(
            "static",
            () ->
                path(
                    name ->
                        FILE_NAME.matcher(name).matches()
                            ? get(() -> getFromResource(WEB + name, contentType(name)))
                            : reject())),
        pathPrefix(
            "assets",
            () ->
                pathPrefix(
                    "uplot",
                    () ->
                        path(
                            name ->
                                FILE_NAME.matcher(name).matches()
                                    ? get(() -> getFromResource(uplotDir + name, contentType(name)))
                                    : reject()))));
  }

  private static ContentType contentType(String name) {
    if (name.endsWith(".js")) {
      return MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8);
    }
    if (name.endsWith(".css")) {
      return MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8);
    }
    if (name.endsWith(".html")) {
      return ContentTypes.TEXT_HTML_UTF8;
    }
    return ContentTypes.APPLICATION_OCTET_STREAM;
  }

  // ---- the API ----

  private Route api() {
    return pathPrefix(
        "api",
        () ->
            concat(
                snapshotApi("cluster", model::cluster),
                snapshotApi("actors", model::actors),
                snapshotApi("verifiers", model::verifiers),
                trainingApi(),
                trajectoriesApi(),
                pathPrefix(
                    "rollouts",
                    () ->
                        concat(
                            pathEnd(() -> get(() -> json(StatusCodes.OK, model.rollouts()))),
                            path("pause", () -> action(() -> setPaused(true))),
                            path("resume", () -> action(() -> setPaused(false))))),
                pathPrefix("nodes", () -> path("drain", () -> action(this::drain)))));
  }

  private Route snapshotApi(String name, Supplier<ObjectNode> snapshot) {
    return pathPrefix(
        name,
        () ->
            concat(
                pathEnd(() -> get(() -> json(StatusCodes.OK, snapshot.get()))),
                path("stream", () -> get(() -> stream(() -> snapshot.get())))));
  }

  private Route stream(Supplier<ObjectNode> snapshot) {
    return limited(
        Source.tick(Duration.ZERO, LIVE_INTERVAL, "tick")
            .map(t -> ServerSentEvent.create(snapshot.get().toString(), "snapshot")));
  }

  /**
   * A live stream, if its client holds fewer than its share ({@link StreamSlots}); its slot is
   * given back when the stream ends. A heartbeat goes out whenever nothing else has for a while, so
   * that proxies keep the connection and a client notices one that died.
   */
  private Route limited(Source<ServerSentEvent, ?> events) {
    return extractRequest(
        request -> {
          String client =
              request
                  .getAttribute(AttributeKeys.remoteAddress)
                  .flatMap(a -> a.getAddress().map(InetAddress::getHostAddress))
                  .orElse("unknown");
          if (!streams.take(client)) {
            return refuse(
                StatusCodes.TOO_MANY_REQUESTS,
                "this client holds "
                    + streams.perClient()
                    + " live streams already; close one first");
          }
          Source<ServerSentEvent, NotUsed> held =
              events
                  .keepAlive(HEARTBEAT_INTERVAL, ServerSentEvent::heartbeat)
                  .watchTermination(
                      (mat, done) -> {
                        done.whenComplete((ok, failed) -> streams.release(client));
                        return NotUsed.getInstance();
                      });
          return completeOK(held, EventStreamMarshalling.toEventStream());
        });
  }

  private Route trainingApi() {
    return pathPrefix(
        "training",
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                parameterOptional(
                                    "since",
                                    since -> {
                                      Optional<Long> s = number(since);
                                      if (since.isPresent() && s.isEmpty()) {
                                        return refuse(
                                            StatusCodes.BAD_REQUEST,
                                            "since must be a whole number");
                                      }
                                      return json(StatusCodes.OK, model.training(s.orElse(-1L)));
                                    }))),
                path("stream", () -> get(this::trainingStream))));
  }

  /** Everything so far, then only the steps and evaluations that are new. */
  private Route trainingStream() {
    return limited(
        Source.tick(Duration.ZERO, LIVE_INTERVAL, "tick")
            .statefulMapConcat(
                () -> {
                  long[] last = {-1};
                  boolean[] sent = {false};
                  return tick -> {
                    ObjectNode increment = model.training(last[0]);
                    long newest = increment.get("last").asLong();
                    if (sent[0] && newest == last[0]) {
                      return List.of();
                    }
                    sent[0] = true;
                    last[0] = newest;
                    return List.of(ServerSentEvent.create(increment.toString(), "append"));
                  };
                }));
  }

  private Route trajectoriesApi() {
    return pathPrefix(
        "trajectories",
        () ->
            parameterOptional(
                "suite",
                suite ->
                    parameterOptional(
                        "verdict",
                        verdict ->
                            parameterOptional(
                                "version",
                                version -> {
                                  Optional<Long> v = number(version);
                                  if (version.filter(s -> !s.isBlank()).isPresent()
                                      && v.isEmpty()) {
                                    return refuse(
                                        StatusCodes.BAD_REQUEST, "version must be a whole number");
                                  }
                                  Optional<String> s = suite.filter(x -> !x.isBlank());
                                  Optional<String> d = verdict.filter(x -> !x.isBlank());
                                  Supplier<ObjectNode> query =
                                      () -> model.trajectories(s, d, v, TRAJECTORY_LIMIT);
                                  return concat(
                                      pathEnd(() -> get(() -> json(StatusCodes.OK, query.get()))),
                                      path("stream", () -> get(() -> stream(query))));
                                }))));
  }

  private static Optional<Long> number(Optional<String> text) {
    try {
      return text.filter(s -> !s.isBlank()).map(s -> Long.parseLong(s.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  // ---- actions ----

  private Route setPaused(boolean paused) {
    ActorRef<PauseProtocol.Command> source = taskSource.get();
    if (source == null) {
      return refuse(
          StatusCodes.SERVICE_UNAVAILABLE, "no task source is reachable: is a learner node up?");
    }
    CompletionStage<PauseProtocol.PauseState> answer =
        AskPattern.ask(
            source,
            replyTo -> new PauseProtocol.SetPaused(paused, "the console", replyTo),
            ASK_TIMEOUT,
            system.scheduler());
    return onComplete(
        answer,
        result -> {
          if (result.isFailure()) {
            return refuse(
                StatusCodes.GATEWAY_TIMEOUT,
                "the task source did not answer within " + ASK_TIMEOUT.toSeconds() + " s");
          }
          model.paused(result.get().paused());
          return json(StatusCodes.OK, model.rollouts());
        });
  }

  private Route drain() {
    return entity(
        Unmarshaller.entityToString(),
        body -> {
          String address;
          try {
            JsonNode node = ConsoleModel.JSON.readTree(body);
            address = node == null ? null : node.path("address").asText(null);
          } catch (java.io.IOException e) {
            address = null;
          }
          if (address == null || address.isBlank()) {
            return refuse(
                StatusCodes.BAD_REQUEST, "send {\"address\": \"akka://verity@host:port\"}");
          }
          Cluster cluster = Cluster.get(system);
          Optional<Member> member = Optional.empty();
          for (Member m : cluster.state().getMembers()) {
            if (m.address().toString().equals(address)) {
              member = Optional.of(m);
            }
          }
          if (member.isEmpty()) {
            return refuse(StatusCodes.NOT_FOUND, "no member " + address + " in the cluster");
          }
          if (member.get().address().equals(cluster.selfMember().address())) {
            return refuse(
                StatusCodes.CONFLICT,
                "the console's own node cannot be drained from the console; stop the run instead");
          }
          cluster.manager().tell(Leave.create(member.get().address()));
          system.log().info("console: draining {}", address);
          ObjectNode answer = ConsoleModel.JSON.createObjectNode();
          answer.put("address", address);
          answer.put("message", address + " is leaving the cluster");
          return json(StatusCodes.ACCEPTED, answer);
        });
  }

  // ---- answers ----

  private Route json(StatusCode status, ObjectNode body) {
    return complete(
        HttpResponse.create()
            .withStatus(status)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString())));
  }

  private Route refuse(StatusCode status, String message) {
    ObjectNode body = ConsoleModel.JSON.createObjectNode();
    body.put("error", message);
    return json(status, body);
  }
}
