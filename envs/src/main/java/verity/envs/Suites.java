package verity.envs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import verity.envs.arith.ArithmeticSuite;
import verity.envs.dsl.DslCodeSuite;
import verity.envs.gridworld.GridworldSuite;
import verity.envs.math.MathSuite;
import verity.envs.python.PythonCodeSuite;

/** The built-in suites, by name. */
public final class Suites {
  private static final Map<String, Supplier<Suite>> SUITES = new LinkedHashMap<>();

  static {
    SUITES.put("arith", ArithmeticSuite::singleDigit);
    SUITES.put("arith2", ArithmeticSuite::twoDigit);
    SUITES.put("gridworld", GridworldSuite::small);
    SUITES.put("dsl-code", DslCodeSuite::standard);
    SUITES.put(MathSuite.NAME, MathSuite::shipped);
    SUITES.put(PythonCodeSuite.NAME, PythonCodeSuite::standard);
  }

  private Suites() {}

  public static List<String> names() {
    return List.copyOf(SUITES.keySet());
  }

  /**
   * @throws IllegalArgumentException naming the known suites when {@code name} is not one
   */
  public static Suite byName(String name) {
    Supplier<Suite> s = SUITES.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "unknown suite '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
    return s.get();
  }
}
