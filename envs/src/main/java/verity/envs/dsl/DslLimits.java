package verity.envs.dsl;

/**
 * What one run of a program may use: operations executed (each loop end counts, so an empty loop
 * still costs steps) and values on the stack at once.
 */
public record DslLimits(int maxSteps, int maxStackDepth) {

  /** Ample for every target program (a few operations, depth 3) and small enough to check fast. */
  public static final DslLimits DEFAULT = new DslLimits(256, 8);

  public DslLimits {
    if (maxSteps < 1 || maxStackDepth < 1) {
      throw new IllegalArgumentException(
          "limits must be positive: " + maxSteps + ", " + maxStackDepth);
    }
  }
}
