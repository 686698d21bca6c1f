package verity.envs.gridworld;

/**
 * Everything that changes during a gridworld episode: where the agent stands (row-major cell
 * index), which keys it holds and which doors it has opened (one bit per colour).
 */
record GridState(int position, int keys, int doors) {

  boolean holds(int colour) {
    return (keys & (1 << colour)) != 0;
  }

  boolean opened(int colour) {
    return (doors & (1 << colour)) != 0;
  }
}
