package verity.actors.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LeaseSetTest {
  @Test
  void holdsIdsBeyondTheIntRangeAndAgreesWithATreeSet() {
    LeaseSet set = new LeaseSet();
    TreeSet<Long> reference = new TreeSet<>();
    Random random = new Random(7);
    long[] bases = {0, 1L << 31, (1L << 40) + 5, Long.MAX_VALUE - 1000};
    for (int i = 0; i < 20_000; i++) {
      long id = bases[random.nextInt(bases.length)] + random.nextInt(1000);
      if (random.nextInt(4) == 0) {
        assertEquals(reference.remove(id), set.remove(new LeaseId(id)), "remove " + id);
      } else {
        assertEquals(reference.add(id), set.add(new LeaseId(id)), "add " + id);
      }
    }
    assertEquals(reference.size(), set.size());
    for (long id : reference) {
      assertTrue(set.contains(new LeaseId(id)));
    }
    assertFalse(set.contains(new LeaseId((1L << 31) + 1001)));
    List<Long> listed = new ArrayList<>();
    set.forEach(listed::add);
    assertEquals(new ArrayList<>(reference), listed);
  }

  @Test
  void aCopyIsIndependent() {
    LeaseSet set = new LeaseSet();
    set.add(new LeaseId(3));
    LeaseSet copy = set.copy();
    copy.add(new LeaseId(4));
    set.remove(new LeaseId(3));
    assertTrue(copy.contains(new LeaseId(3)));
    assertFalse(set.contains(new LeaseId(4)));
    assertEquals(0, set.size());
    assertEquals(2, copy.size());
  }
}
