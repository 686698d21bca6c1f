package verity.envs.math;

import verity.envs.Task;

/**
 * A math word problem: its id, the question as the prompt's text, and the reference answer as the
 * task file writes it (always readable as a number).
 */
public record MathTask(String id, String prompt, String answer) implements Task {

  /**
   * @throws NumberFormatException when {@code answer} is not one number
   */
  public MathTask {
    MathAnswer.parse(answer);
  }
}
