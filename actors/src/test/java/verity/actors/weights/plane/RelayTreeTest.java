package verity.actors.weights.plane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RelayTreeTest {
  static final PlaneAddress STORE = new PlaneAddress("store", 1);

  static PlaneAddress replica(int i) {
    return new PlaneAddress("r" + i, 2);
  }

  @Test
  void shouldChainReplicasWithFanOutOne() {
    RelayTree tree = new RelayTree(1);
    assertEquals(STORE, tree.upstreamFor(replica(1), STORE));
    assertEquals(replica(1), tree.upstreamFor(replica(2), STORE));
    assertEquals(replica(2), tree.upstreamFor(replica(3), STORE));
    assertEquals(replica(1), tree.upstreamFor(replica(2), STORE), "asking again: same place");
  }

  @Test
  void shouldLetEachNodeServeAtMostFanOutOthers() {
    RelayTree tree = new RelayTree(2);
    PlaneAddress[] expected = {
      STORE, STORE, replica(1), replica(1), replica(2), replica(2), replica(3)
    };
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], tree.upstreamFor(replica(i + 1), STORE), "replica " + (i + 1));
    }
  }

  @Test
  void shouldSendEveryoneToTheStoreWithoutRelayingAndStartAnewPerVersion() {
    RelayTree none = new RelayTree(0);
    assertEquals(STORE, none.upstreamFor(replica(1), STORE));
    assertEquals(STORE, none.upstreamFor(replica(2), STORE));
    RelayTree chain = new RelayTree(1);
    chain.upstreamFor(replica(1), STORE);
    assertEquals(STORE, chain.upstreamFor(null, STORE), "a replica that does not relay");
    chain.reset();
    assertEquals(STORE, chain.upstreamFor(replica(2), STORE));
    assertEquals(replica(2), chain.upstreamFor(replica(1), STORE));
  }
}
