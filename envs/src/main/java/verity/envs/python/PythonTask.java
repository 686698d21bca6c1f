package verity.envs.python;

import java.util.List;
import java.util.Optional;
import verity.envs.Task;

/**
 * A python-code task: a prompt asking for a function, the asserts (MBPP's {@code test_list}) a
 * solution must pass, and optionally a reference solution.
 *
 * @param prompt the prompt as text
 * @param solution a reference solution, or empty when the task has none
 */
public record PythonTask(String id, String prompt, List<String> tests, String solution)
    implements Task {

  public PythonTask {
    tests = List.copyOf(tests);
    solution = solution == null ? "" : solution;
  }

  /** The reference solution, when the task ships one. */
  public Optional<String> reference() {
    return solution.isEmpty() ? Optional.empty() : Optional.of(solution);
  }
}
