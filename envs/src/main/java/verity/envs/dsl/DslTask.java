package verity.envs.dsl;

import java.util.Arrays;
import java.util.stream.Collectors;
import verity.envs.Task;

/**
 * One target function, named {@code <family>:<params>} (e.g. {@code affine:3:-2}), with its prompt
 * of visible examples already written.
 */
public record DslTask(DslFamily family, int[] params, String prompt) implements Task {

  static String id(DslFamily family, int[] params) {
    return family.label()
        + Arrays.stream(params).mapToObj(p -> ":" + p).collect(Collectors.joining());
  }

  @Override
  public String id() {
    return id(family, params);
  }

  @Override
  public int[] params() {
    return params.clone();
  }

  /** What a correct program outputs for {@code x}. */
  public long expected(long x) {
    return family.apply(params, x);
  }
}
