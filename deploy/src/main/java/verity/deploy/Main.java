package verity.deploy;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import verity.deploy.cli.DevCommand;
import verity.deploy.cli.LocalCommand;
import verity.deploy.cli.NodeCommand;
import verity.deploy.cli.SoakCommand;
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
      VerifyCommand.class
    })
public final class Main implements Runnable {
  public static final int USAGE_ERROR = 2;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
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
