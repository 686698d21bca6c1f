package verity.actors.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import verity.actors.ids.PolicyVersion;

/**
 * Describes one published policy version: the parameter names and shapes in the order their values
 * are laid out (tensor after tensor), the number of values and its CRC32C checksum.
 */
public record WeightsHeader(
    PolicyVersion version,
    List<String> names,
    List<int[]> shapes,
    long totalLength,
    long checksum) {

  public WeightsHeader {
    names = List.copyOf(names);
    List<int[]> copies = new ArrayList<>(shapes.size());
    for (int[] s : shapes) {
      copies.add(s.clone());
    }
    shapes = List.copyOf(copies);
    if (names.size() != shapes.size()) {
      throw new IllegalArgumentException(
          names.size() + " parameter names but " + shapes.size() + " shapes");
    }
    long sum = 0;
    for (int[] s : shapes) {
      sum += elements(s);
    }
    if (sum != totalLength) {
      throw new IllegalArgumentException(
          "shapes hold " + sum + " values but the header says " + totalLength);
    }
  }

  /** The number of values of a parameter with this shape. */
  public static long elements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** The number of values of each parameter, in layout order. */
  public List<Integer> sizes() {
    List<Integer> out = new ArrayList<>(shapes.size());
    for (int[] s : shapes) {
      out.add(Math.toIntExact(elements(s)));
    }
    return out;
  }

  /** True when both describe the same architecture (names and shapes), whatever the version. */
  public boolean sameLayout(WeightsHeader other) {
    if (!names.equals(other.names) || shapes.size() != other.shapes.size()) {
      return false;
    }
    for (int i = 0; i < shapes.size(); i++) {
      if (!Arrays.equals(shapes.get(i), other.shapes.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightsHeader h
        && version.equals(h.version)
        && totalLength == h.totalLength
        && checksum == h.checksum
        && sameLayout(h);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, names, totalLength, checksum);
  }
}
