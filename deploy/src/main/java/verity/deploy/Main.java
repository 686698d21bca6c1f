package verity.deploy;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import verity.deploy.cli.DevCommand;
import verity.deploy.cli.LocalCommand;
import verity.deploy.cli.NodeCommand;
import verity.deploy.cli.SoakCommand;
import verity.deploy.generate.GenerateCommand;
import verity.deploy.verify.VerifyCommand;

/** The {@code verity} command line. Usage and configuration errors exit with code 2. */
@Command(
    name = "verity",
    mixinStandardHelpOptions = true,
    version = "verity 0.1.0",
    description = "A cluster for reinforcement learning from verifiable rewards.",
    subcommands = {
      DevCommand.class,
      NodeCommand.class,
      LocalCommand.class,
      SoakCommand.class,
      VerifyCommand.class,
      GenerateCommand.class
    })
public final class Main implements Runnable {
  public static final int USAGE_ERROR = 2;

  /** The common pool's parallelism, a JDK system property read once, when the pool is created. */
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    prepareJvm();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Gives the JDK's common pool at least two threads, before anything creates it. With one (its
   * default on two cores: processors - 1), {@link java.util.concurrent.CompletableFuture} runs
   * every asynchronous callback on a new thread, and Akka's Java futures make each of their
   * callbacks (every {@code pipeToSelf}, every ask's reply) asynchronous: a dev run on two cores
   * started about 380 threads a second and spent a third of its time on that. A parallelism given
   * on the command line is kept.
   */
  public static void prepareJvm() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      int parallelism = Math.max(2, Runtime.getRuntime().availableProcessors() - 1);
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(parallelism));
    }
  }

  /** Runs the command line; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("verity: " + ex.getMessage());
          return USAGE_ERROR;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          err.println("verity: " + ex.getMessage());
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
