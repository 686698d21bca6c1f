package verity.envs.gridworld;

import verity.envs.Task;

/** One gridworld level, named {@code g<size>-<seed>}, with its prompt already written. */
public record GridTask(int size, long seed, GridLevel level, String prompt) implements Task {

  static String id(int size, long seed) {
    return "g" + size + "-" + seed;
  }

  @Override
  public String id() {
    return id(size, seed);
  }
}
