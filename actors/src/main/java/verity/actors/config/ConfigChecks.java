package verity.actors.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads typed settings and fails with a {@link ConfigException} that names the key and what was
 * expected, so that a bad value stops a node at start rather than half-way through a run.
 */
public final class ConfigChecks {
  private ConfigChecks() {}

  public static int positiveInt(Config c, String path) {
    return intAtLeast(c, path, 1);
  }

  public static int intAtLeast(Config c, String path, int min) {
    int v = c.getInt(path);
    if (v < min) {
      throw new ConfigException.BadValue(path, "expected an integer >= " + min + ", got " + v);
    }
    return v;
  }

  public static long longAtLeast(Config c, String path, long min) {
    long v = c.getLong(path);
    if (v < min) {
      throw new ConfigException.BadValue(path, "expected an integer >= " + min + ", got " + v);
    }
    return v;
  }

  public static double doubleIn(Config c, String path, double min, double max) {
    double v = c.getDouble(path);
    if (!(v >= min && v <= max)) {
      throw new ConfigException.BadValue(
          path, "expected a number in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  public static double positiveDouble(Config c, String path) {
    double v = c.getDouble(path);
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new ConfigException.BadValue(path, "expected a number > 0, got " + v);
    }
    return v;
  }

  public static Duration positiveDuration(Config c, String path) {
    Duration d = c.getDuration(path);
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException.BadValue(path, "expected a duration > 0, got " + d);
    }
    return d;
  }

  /**
   * An enum setting written in lower case with dashes, e.g. {@code reject} or {@code down-weight}.
   */
  public static <E extends Enum<E>> E oneOf(Config c, String path, Class<E> type) {
    String raw = c.getString(path);
    String wanted = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(wanted)) {
        return e;
      }
    }
    String known =
        Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .collect(Collectors.joining(", "));
    throw new ConfigException.BadValue(path, "expected one of " + known + ", got '" + raw + "'");
  }

  /**
   * Rejects keys under {@code root} in {@code user} that the reference configuration does not know:
   * a misspelt key would otherwise be ignored silently. Keys under {@code openSections} (maps whose
   * keys are data, such as dispatcher settings or class registrations) are not checked.
   */
  public static void rejectUnknownKeys(
      Config user, Config reference, String root, List<String> openSections) {
    if (!user.hasPath(root)) {
      return;
    }
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : user.getConfig(root).entrySet()) {
      String path = root + "." + e.getKey();
      boolean open =
          openSections.stream().anyMatch(s -> path.equals(s) || path.startsWith(s + "."));
      if (!open && !reference.hasPathOrNull(path)) {
        unknown.add(path);
      }
    }
    if (!unknown.isEmpty()) {
      unknown.sort(null);
      throw new ConfigException.BadPath(
          unknown.get(0),
          "unknown configuration key"
              + (unknown.size() > 1
                  ? " (and " + (unknown.size() - 1) + " more: " + unknown + ")"
                  : "")
              + "; see the module reference.conf files for the known keys");
    }
  }
}
