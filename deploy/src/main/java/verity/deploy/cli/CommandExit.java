package verity.deploy.cli;

import java.io.PrintWriter;
import verity.deploy.Main;

/**
 * A command's step giving up: the exit code, and the line that says why (none when the step printed
 * it already). The steps of a command (parse, configure, prepare, start) throw it, so that each
 * returns what the next one needs and the command's {@code call()} returns the code.
 */
final class CommandExit extends Exception {
  private final int code;

  private CommandExit(int code, String line) {
    super(line, null, false, false);
    this.code = code;
  }

  /** A bad start (usage or configuration): exit code 2, with {@code line} on stderr. */
  static CommandExit usage(String line) {
    return new CommandExit(Main.USAGE_ERROR, line);
  }

  /** A bad start whose line has been printed already. */
  static CommandExit usagePrinted() {
    return new CommandExit(Main.USAGE_ERROR, null);
  }

  /** A failure once started: exit code 1, with {@code line} on stderr. */
  static CommandExit failed(String line) {
    return new CommandExit(1, line);
  }

  /** Prints the line on {@code err} unless printed already; returns the exit code. */
  int report(PrintWriter err) {
    if (getMessage() != null) {
      err.println(getMessage());
    }
    return code;
  }
}
