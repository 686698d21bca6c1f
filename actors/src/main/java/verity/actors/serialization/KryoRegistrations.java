package verity.actors.serialization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The explicit Kryo class registrations, read from {@code verity.serialization.kryo.registrations}:
 * one entry per class, {@code "fully.qualified.Name" = id}. Each module lists its own classes in
 * its {@code reference.conf}; the objects merge. Ids must be stable across nodes and releases, so
 * they are written down rather than derived from class-path order.
 */
public final class KryoRegistrations {
  public static final String PATH = "verity.serialization.kryo.registrations";

  /** Ids below this are left to Kryo's built-ins and the JDK collection serializers. */
  public static final int FIRST_USER_ID = 100;

  private static final Map<String, Class<?>> ALIASES =
      Map.of(
          "boolean[]", boolean[].class,
          "byte[]", byte[].class,
          "short[]", short[].class,
          "char[]", char[].class,
          "int[]", int[].class,
          "long[]", long[].class,
          "float[]", float[].class,
          "float[][]", float[][].class,
          "double[]", double[].class,
          "String[]", String[].class);

  /** One class and its id. */
  public record Registration(Class<?> type, int id) {}

  private KryoRegistrations() {}

  /** Reads and checks the registrations; every problem names the offending key. */
  public static List<Registration> from(Config config, ClassLoader loader) {
    if (!config.hasPath(PATH)) {
      throw new ConfigException.Missing(PATH);
    }
    Map<Integer, String> byId = new HashMap<>();
    List<Registration> out = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : config.getObject(PATH).entrySet()) {
      String name = e.getKey();
      String key = PATH + ".\"" + name + "\"";
      if (e.getValue().valueType() != ConfigValueType.NUMBER) {
        throw new ConfigException.BadValue(key, "expected an integer id, got " + e.getValue());
      }
      int id = ((Number) e.getValue().unwrapped()).intValue();
      if (id < FIRST_USER_ID) {
        throw new ConfigException.BadValue(key, "ids below " + FIRST_USER_ID + " are reserved");
      }
      String clash = byId.putIfAbsent(id, name);
      if (clash != null) {
        throw new ConfigException.BadValue(key, "id " + id + " is already used by " + clash);
      }
      out.add(new Registration(resolve(name, key, loader), id));
    }
    out.sort(Comparator.comparingInt(Registration::id));
    return List.copyOf(out);
  }

  private static Class<?> resolve(String name, String key, ClassLoader loader) {
    Class<?> alias = ALIASES.get(name);
    if (alias != null) {
      return alias;
    }
    try {
      return Class.forName(name, false, loader);
    } catch (ClassNotFoundException e) {
      throw new ConfigException.BadValue(key, "no such class on the class path: " + name);
    }
  }
}
