package verity.policy.transformer;

import java.nio.file.Path;

/**
 * A model directory Verity cannot use: a missing or corrupt file, a tensor that does not fit the
 * configuration, a configuration asking for something Verity does not implement. The message is one
 * line that starts with the file it is about, so the command line can print it as it is.
 */
public final class CheckpointException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public CheckpointException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
