package verity.envs.arith;

import verity.envs.Task;

/** {@code a + b}, with its prompt already written in the suite's format. */
public record ArithmeticTask(int a, int b, String prompt) implements Task {

  @Override
  public String id() {
    return a + "+" + b;
  }

  public int answer() {
    return a + b;
  }
}
