package verity.deploy.run;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Points the log at a command's own file ({@code verity.log.file}, read by {@code logback.xml}).
 * Logback reads that property once, when it starts, and something (DJL, reading the model's
 * settings) may have logged before a command knows its data directory: setting the property then
 * was not enough, and every node of a {@code local} run wrote to {@code verity.log} in the working
 * directory. So the configuration is read again once the property is set.
 */
public final class LogFile {
  private LogFile() {}

  /** Logs to {@code file} from now on, through the configuration Logback finds by itself. */
  public static void use(Path file) {
    use(file, null);
  }

  /**
   * Logs to {@code file} from now on, through {@code configuration} (null: the one Logback finds by
   * itself).
   */
  static void use(Path file, URL configuration) {
    System.setProperty("verity.log.file", file.toString());
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding: nothing of ours to reconfigure
    }
    context.reset();
    try {
      if (configuration == null) {
        new ContextInitializer(context).autoConfig();
      } else {
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(configuration);
      }
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure logging to " + file, e);
    }
  }
}
