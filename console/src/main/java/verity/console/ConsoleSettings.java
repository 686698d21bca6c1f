package verity.console;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Where the console listens and the token it demands. It binds to the loopback address unless told
 * otherwise; binding anywhere else requires a token, which every page and API request must then
 * carry. The token is never printed or logged.
 *
 * @param port the TCP port; 0 picks a free one
 */
public record ConsoleSettings(String host, int port, Optional<String> token) {

  /** The environment variable a token can come from instead of a flag, out of the process list. */
  public static final String TOKEN_ENV = "VERITY_CONSOLE_TOKEN";

  public ConsoleSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("console port " + port + " is not a port (0..65535)");
    }
    token = token.filter(t -> !t.isBlank());
    if (token.isPresent() && token.get().length() < 16) {
      throw new IllegalArgumentException(
          "the console token is too short: use at least 16 characters");
    }
    if (token.isEmpty() && !isLoopback(host)) {
      throw new IllegalArgumentException(
          "the console would listen on "
              + host
              + ", beyond this machine, without a token: set --console-token or "
              + TOKEN_ENV
              + ", or keep --console-host 127.0.0.1");
    }
  }

  /** From {@code verity.console}, with a token from the environment when the config has none. */
  public static ConsoleSettings from(Config config, Optional<String> environmentToken) {
    Config c = config.getConfig("verity.console");
    String configured = c.getString("token");
    return new ConsoleSettings(
        c.getString("host"),
        c.getInt("port"),
        configured.isBlank() ? environmentToken : Optional.of(configured));
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("console host " + host + " is not a known address");
    }
  }

  @Override
  public String toString() {
    return "ConsoleSettings[" + host + ":" + port + (token.isPresent() ? ", token set]" : "]");
  }
}
