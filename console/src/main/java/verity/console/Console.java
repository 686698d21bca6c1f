package verity.console;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.settings.ServerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import verity.actors.protocol.PauseProtocol;

/**
 * The live console of a running cluster, served from the node that runs it (the dev cluster's one
 * node, or the {@code console} node of {@code verity local}).
 */
public final class Console {
  private final ServerBinding binding;
  private final ConsoleSettings settings;

  private Console(ServerBinding binding, ConsoleSettings settings) {
    this.binding = binding;
    this.settings = settings;
  }

  /** Starts following the cluster's events and binds the HTTP server. */
  public static CompletionStage<Console> start(ActorSystem<?> system, ConsoleSettings settings) {
    ConsoleMetrics metrics = new ConsoleMetrics();
    ConsoleModel model = new ConsoleModel(metrics);
    AtomicReference<ActorRef<PauseProtocol.Command>> taskSource = new AtomicReference<>();
    system.systemActorOf(ConsoleFeed.create(model, taskSource), "console-feed", Props.empty());
    ConsoleServer server =
        new ConsoleServer(system, model, metrics, settings.token(), taskSource, uplotVersion());
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        // Each request knows the address it came from: live streams are counted per client.
        .withSettings(
            ServerSettings.create(system.classicSystem()).withRemoteAddressAttribute(true))
        .bind(server.routes())
        .thenApply(
            b -> new Console(b.addToCoordinatedShutdown(Duration.ofSeconds(3), system), settings));
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /** The address to open; it never contains the token. */
  public String url() {
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    return "http://" + host + ":" + port() + "/";
  }

  public boolean requiresToken() {
    return settings.token().isPresent();
  }

  public CompletionStage<Done> stop() {
    return binding.unbind();
  }

  private static String uplotVersion() {
    Properties p = new Properties();
    try (InputStream in = Console.class.getResourceAsStream("console.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("uplot.version");
  }
}
