package verity.envs.dsl;

import java.util.ArrayList;
import java.util.List;

/**
 * The target functions a dsl-code task asks for, each with small integer parameters, and a short
 * program that computes each one. Parameters stay within one digit so that the programs do too.
 */
public enum DslFamily {
  /** {@code a*x + b}, {@code a} in 1..5, {@code b} in -9..9. */
  AFFINE("affine", new String[] {"a", "b"}, new int[][] {{1, 5}, {-9, 9}}) {
    @Override
    long apply(int[] p, long x) {
      return p[0] * x + p[1];
    }

    @Override
    String program(int[] p) {
      return "x" + (p[0] == 1 ? "" : p[0] + "*") + offset(p[1]);
    }
  },
  /** {@code max(x, a)}, {@code a} in -5..9. */
  MAX("max", new String[] {"a"}, new int[][] {{-5, 9}}) {
    @Override
    long apply(int[] p, long x) {
      return Math.max(x, p[0]);
    }

    @Override
    String program(int[] p) {
      return "x" + (p[0] >= 0 ? "" + p[0] : "0" + -p[0] + "-") + "m";
    }
  },
  /** {@code x*x - a}, {@code a} in -9..9. */
  SQUARE("square", new String[] {"a"}, new int[][] {{-9, 9}}) {
    @Override
    long apply(int[] p, long x) {
      return x * x - p[0];
    }

    @Override
    String program(int[] p) {
      return "xd*" + offset(-p[0]);
    }
  },
  /** {@code |x - a|}, {@code a} in -9..9. */
  ABSDIFF("absdiff", new String[] {"a"}, new int[][] {{-9, 9}}) {
    @Override
    long apply(int[] p, long x) {
      return Math.abs(x - p[0]);
    }

    @Override
    String program(int[] p) {
      return "x" + offset(-p[0]) + "a";
    }
  };

  private final String label;
  private final String[] parameters;
  private final int[][] ranges;

  DslFamily(String label, String[] parameters, int[][] ranges) {
    this.label = label;
    this.parameters = parameters;
    this.ranges = ranges;
  }

  /** The function at {@code x} for these parameters. */
  abstract long apply(int[] params, long x);

  /** A shortest-we-know program for these parameters, without end-of-sequence. */
  abstract String program(int[] params);

  /** Adds {@code k} (a digit and {@code +} or {@code -}; nothing for 0). */
  private static String offset(int k) {
    return k == 0 ? "" : k > 0 ? k + "+" : -k + "-";
  }

  /** The name used in task ids and records. */
  public String label() {
    return label;
  }

  /** Parameter names, in id order. */
  public List<String> parameters() {
    return List.of(parameters);
  }

  /** True when the parameters are as many as this family has and each within its range. */
  public boolean accepts(int[] params) {
    if (params.length != ranges.length) {
      return false;
    }
    for (int i = 0; i < params.length; i++) {
      if (params[i] < ranges[i][0] || params[i] > ranges[i][1]) {
        return false;
      }
    }
    return true;
  }

  /** Every parameter tuple of this family, in order. */
  List<int[]> allParameters() {
    List<int[]> out = new ArrayList<>();
    fill(new int[ranges.length], 0, out);
    return out;
  }

  private void fill(int[] current, int index, List<int[]> out) {
    if (index == ranges.length) {
      out.add(current.clone());
      return;
    }
    for (int v = ranges[index][0]; v <= ranges[index][1]; v++) {
      current[index] = v;
      fill(current, index + 1, out);
    }
  }

  /** The family of this label, or {@code null}. */
  public static DslFamily byLabel(String label) {
    for (DslFamily f : values()) {
      if (f.label.equals(label)) {
        return f;
      }
    }
    return null;
  }
}
