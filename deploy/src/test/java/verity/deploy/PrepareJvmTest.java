package verity.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each case runs a fresh JVM told it has two processors (the CI machine's count), since the common
 * pool is created once per JVM: after {@link Main#prepareJvm}, asynchronous callbacks run on the
 * common pool instead of a new thread each.
 */
class PrepareJvmTest {

  /** Run in the child JVM: prepares it as {@code verity} does, then says what callbacks run on. */
  public static final class Probe {
    public static void main(String[] args) {
      if (args.length > 0 && args[0].equals("prepare")) {
        Main.prepareJvm();
      }
      boolean common = new CompletableFuture<Void>().defaultExecutor() == ForkJoinPool.commonPool();
      System.out.println(
          "parallelism " + ForkJoinPool.getCommonPoolParallelism() + ", common pool " + common);
    }
  }

  /** Runs the probe with these JVM options, preparing the JVM first when {@code prepare}. */
  static String probe(boolean prepare, String... jvmOptions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:ActiveProcessorCount=2");
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    if (prepare) {
      command.add("prepare");
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  @Test
  void shouldRunCallbacksOnTheCommonPoolOnTwoCores() throws Exception {
    assertEquals(
        "parallelism 1, common pool false", probe(false), "the JDK's own default on 2 cores");
    assertEquals("parallelism 2, common pool true", probe(true));
  }

  @Test
  void shouldKeepAParallelismGivenOnTheCommandLine() throws Exception {
    assertEquals(
        "parallelism 3, common pool true", probe(true, "-D" + Main.COMMON_POOL_PARALLELISM + "=3"));
  }
}
