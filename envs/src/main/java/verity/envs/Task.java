package verity.envs;

/** One problem of a suite: an id that identifies it within the suite, and the prompt tokens. */
public interface Task {
  String id();

  int[] prompt();
}
