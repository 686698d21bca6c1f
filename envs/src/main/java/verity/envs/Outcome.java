package verity.envs;

/** Why a completion earned its reward. */
public enum Outcome {
  CORRECT,
  WRONG,
  TIMEOUT,
  CRASHED,
  MALFORMED
}
