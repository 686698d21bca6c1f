package verity.console;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many live event streams each client holds, against a cap: a page (or a script) that opens
 * stream after stream gets a refusal instead of a server thread and a tick per stream each.
 */
final class StreamSlots {
  private final int perClient;
  private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();

  StreamSlots(int perClient) {
    this.perClient = perClient;
  }

  int perClient() {
    return perClient;
  }

  /** Takes a slot for {@code client}; false (nothing taken) when it holds all of its own. */
  boolean take(String client) {
    boolean[] taken = {false};
    held.compute(
        client,
        (c, n) -> {
          int now = n == null ? 0 : n;
          if (now >= perClient) {
            return now;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0];
  }

  /** Gives back a slot {@link #take} gave. */
  void release(String client) {
    held.computeIfPresent(client, (c, n) -> n <= 1 ? null : n - 1);
  }

  /** The slots {@code client} holds. */
  int held(String client) {
    return held.getOrDefault(client, 0);
  }
}
