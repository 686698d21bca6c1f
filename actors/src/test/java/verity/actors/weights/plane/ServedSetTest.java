package verity.actors.weights.plane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;

class ServedSetTest {

  static FlatWeights tensors(long name) {
    return FlatWeights.of(
        PolicyVersion.of(name),
        List.of("w"),
        List.of(new int[] {3}),
        new float[] {name, name + 1, name + 2});
  }

  static Optional<ServedVersion> find(ServedSet set, long name) throws Exception {
    return set.find(PolicyVersion.of(name), Duration.ZERO).toCompletableFuture().get();
  }

  @Test
  void shouldServeEachOfTheLastItemsByItsOwnName() throws Exception {
    ServedSet set = new ServedSet(2, 2);
    set.offer(tensors(1));
    set.offer(tensors(2));
    set.offer(tensors(3));

    assertTrue(find(set, 1).isEmpty(), "the oldest was dropped past the capacity");
    assertFalse(set.contains(PolicyVersion.of(1)));
    assertTrue(set.contains(PolicyVersion.of(3)));
    assertEquals(2f, find(set, 2).orElseThrow().values().tensor(0)[0]);
    assertEquals(3f, find(set, 3).orElseThrow().values().tensor(0)[0]);
    assertTrue(find(set, 4).isEmpty(), "a name never offered is answered at once, empty");
    assertEquals(2, find(set, 3).orElseThrow().layout().count(), "chunks of the set's size");
  }

  @Test
  void shouldRefuseANonPositiveCapacity() {
    assertThrows(IllegalArgumentException.class, () -> new ServedSet(0, 2));
  }
}
