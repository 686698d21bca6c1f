package verity.policy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.typesafe.config.ConfigException;

/**
 * Where a replica runs: {@code auto} (the first GPU when the engine sees one, else the CPU), {@code
 * cpu}, or {@code gpu:N}. The same worker runs unchanged on a GPU node.
 */
public record DeviceChoice(Kind kind, int gpu) {

  /** The kinds of choice. */
  public enum Kind {
    AUTO,
    CPU,
    GPU
  }

  public static DeviceChoice parse(String text, String key) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("auto")) {
      return new DeviceChoice(Kind.AUTO, -1);
    }
    if (t.equals("cpu")) {
      return new DeviceChoice(Kind.CPU, -1);
    }
    if (t.startsWith("gpu:")) {
      try {
        int n = Integer.parseInt(t.substring(4));
        if (n >= 0) {
          return new DeviceChoice(Kind.GPU, n);
        }
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new ConfigException.BadValue(key, "expected auto, cpu or gpu:N, got '" + text + "'");
  }

  /**
   * Resolves the choice against what the engine sees.
   *
   * @throws IllegalStateException when a GPU is asked for that the engine does not have
   */
  public Device resolve(Engine engine) {
    int gpus = engine.getGpuCount();
    return switch (kind) {
      case CPU -> Device.cpu();
      case AUTO -> gpus > 0 ? Device.gpu(0) : Device.cpu();
      case GPU -> {
        if (gpu >= gpus) {
          throw new IllegalStateException(
              "device gpu:" + gpu + " was asked for, but the engine sees " + gpus + " GPU(s)");
        }
        yield Device.gpu(gpu);
      }
    };
  }
}
