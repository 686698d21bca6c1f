package verity.deploy.run;

import com.typesafe.config.Config;

/**
 * The Java system properties a process running models needs before DJL loads its engine: offline
 * (nothing downloaded at run time) and PyTorch's thread counts from {@code
 * verity.policy.torch-threads}. A JVM whose engine is already loaded keeps its own.
 */
public final class ModelProperties {
  private ModelProperties() {}

  /** Sets them from {@code config}, keeping an {@code ai.djl.offline} set on the command line. */
  public static void apply(Config config) {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty(
        "ai.djl.pytorch.num_threads",
        Integer.toString(config.getInt("verity.policy.torch-threads")));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
  }
}
