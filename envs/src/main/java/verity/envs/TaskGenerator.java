package verity.envs;

/** An endless, seeded stream of training tasks: the same seed gives the same stream. */
public interface TaskGenerator {
  Task next();
}
