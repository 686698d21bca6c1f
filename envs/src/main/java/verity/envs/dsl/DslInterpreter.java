package verity.envs.dsl;

import verity.envs.Outcome;

/**
 * Runs a stack-language program on one integer input, within {@link DslLimits}. The stack starts
 * empty; the output is the top of the stack when the program ends.
 *
 * <ul>
 *   <li>{@code 0}-{@code 9} push that digit; {@code x} pushes the input;
 *   <li>{@code + - *} pop {@code b}, then {@code a}, and push {@code a+b}, {@code a-b}, {@code
 *       a*b}; {@code m} pushes {@code max(a, b)};
 *   <li>{@code a} replaces the top by its absolute value; {@code d} duplicates it; {@code s} swaps
 *       the top two; {@code p} drops the top;
 *   <li>{@code [} pops {@code n} and runs the code up to its {@code ]} {@code n} times (none when
 *       {@code n} is 0).
 * </ul>
 *
 * Popping an empty stack, a negative loop count, 64-bit overflow and ending with an empty stack are
 * runtime errors. Hand-written rather than a scripting engine: the language is a dozen operations,
 * and this way every step and every value on the stack is counted.
 */
public final class DslInterpreter {
  private final DslLimits limits;

  public DslInterpreter(DslLimits limits) {
    this.limits = limits;
  }

  public DslRun run(DslProgram program, long input) {
    long[] stack = new long[limits.maxStackDepth()];
    int depth = 0;
    long[] remaining = new long[program.length()];
    int loops = 0;
    long steps = 0;
    for (int pc = 0; pc < program.length(); pc++) {
      if (++steps > limits.maxSteps()) {
        return new DslRun.Failed(Outcome.TIMEOUT, "more than " + limits.maxSteps() + " steps");
      }
      char op = program.operation(pc);
      int needs = arity(op);
      if (depth < needs) {
        return crash("stack underflow", op, pc);
      }
      if (depth + pushes(op) - needs > stack.length) {
        return new DslRun.Failed(
            Outcome.VIOLATION,
            "'"
                + op
                + "' at "
                + pc
                + " would put more than "
                + stack.length
                + " values on the stack");
      }
      try {
        switch (op) {
          case 'x' -> stack[depth++] = input;
          case '+', '-', '*', 'm' -> {
            long b = stack[--depth];
            stack[depth - 1] = binary(op, stack[depth - 1], b);
          }
          case 'a' -> stack[depth - 1] = Math.absExact(stack[depth - 1]);
          case 'd' -> {
            stack[depth] = stack[depth - 1];
            depth++;
          }
          case 's' -> {
            long top = stack[depth - 1];
            stack[depth - 1] = stack[depth - 2];
            stack[depth - 2] = top;
          }
          case 'p' -> depth--;
          case '[' -> {
            long n = stack[--depth];
            if (n < 0) {
              return crash("negative loop count " + n, op, pc);
            }
            if (n == 0) {
              pc = program.partner(pc);
            } else {
              remaining[loops++] = n;
            }
          }
          case ']' -> {
            if (--remaining[loops - 1] > 0) {
              pc = program.partner(pc);
            } else {
              loops--;
            }
          }
          default -> stack[depth++] = op - '0';
        }
      } catch (ArithmeticException e) {
        return crash("integer overflow", op, pc);
      }
    }
    if (depth == 0) {
      return new DslRun.Failed(Outcome.CRASHED, "the stack is empty at the end: no output");
    }
    return new DslRun.Finished(stack[depth - 1]);
  }

  private static long binary(char op, long a, long b) {
    return switch (op) {
      case '+' -> Math.addExact(a, b);
      case '-' -> Math.subtractExact(a, b);
      case '*' -> Math.multiplyExact(a, b);
      default -> Math.max(a, b);
    };
  }

  private static DslRun crash(String what, char op, int pc) {
    return new DslRun.Failed(Outcome.CRASHED, what + " at '" + op + "' (" + pc + ")");
  }

  /** Values an operation pops (or, for {@code a} and {@code d}, needs present). */
  private static int arity(char op) {
    return switch (op) {
      case '+', '-', '*', 'm', 's' -> 2;
      case 'a', 'd', 'p', '[' -> 1;
      default -> 0;
    };
  }

  /** Values an operation leaves in place of the ones it needs. */
  private static int pushes(char op) {
    return switch (op) {
      case '+', '-', '*', 'm', 'a' -> 1;
      case 'd', 's' -> 2;
      case 'p', '[', ']' -> 0;
      default -> 1;
    };
  }
}
