package verity.envs.arith;

import verity.envs.Task;

/** {@code a + b}, with its prompt already encoded in the suite's format. */
public record ArithmeticTask(int a, int b, int[] prompt) implements Task {

  @Override
  public String id() {
    return a + "+" + b;
  }

  public int answer() {
    return a + b;
  }

  @Override
  public int[] prompt() {
    return prompt.clone();
  }
}
