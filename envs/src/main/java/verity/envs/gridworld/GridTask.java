package verity.envs.gridworld;

import verity.envs.Task;

/** One gridworld level, named {@code g<size>-<seed>}, with its prompt already encoded. */
public record GridTask(int size, long seed, GridLevel level, int[] prompt) implements Task {

  static String id(int size, long seed) {
    return "g" + size + "-" + seed;
  }

  @Override
  public String id() {
    return id(size, seed);
  }

  @Override
  public int[] prompt() {
    return prompt.clone();
  }
}
