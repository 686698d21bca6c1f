package verity.reward.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What bwrap's {@code --json-status-fd} file says: it writes the program's exit code only once the
 * program has been exec-ed, so its absence after a run that ended by itself means the sandbox
 * failed to start, not that the program failed. The program cannot write this file.
 */
final class BwrapStatus {
  private static final Pattern EXIT_CODE = Pattern.compile("\"exit-code\"\\s*:\\s*(-?\\d+)");

  private BwrapStatus() {}

  /** The program's exit code, or empty when the program never started. */
  static OptionalInt exitCode(Path statusFile) throws IOException {
    String text;
    try {
      text = Files.readString(statusFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return OptionalInt.empty();
    }
    Matcher m = EXIT_CODE.matcher(text);
    return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }
}
