package verity.envs;

import java.util.List;

/**
 * The tasks a suite gives for a split, and the split they really are from: {@code split} is {@link
 * Split#TRAIN} when a suite that holds nothing out is asked for validation or test tasks.
 */
public record SplitTasks(Split split, List<Task> tasks) {
  public SplitTasks {
    tasks = List.copyOf(tasks);
  }

  /** True when these tasks are never drawn for training. */
  public boolean heldOut() {
    return split != Split.TRAIN;
  }
}
