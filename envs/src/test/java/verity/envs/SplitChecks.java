package verity.envs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Assertions every suite's splits must pass, shared by the suites' tests. */
public final class SplitChecks {
  private SplitChecks() {}

  /** The ids of a split's tasks. */
  public static Set<String> ids(Suite suite, Split split) {
    Set<String> ids = new HashSet<>();
    suite.split(split).tasks().forEach(t -> ids.add(t.id()));
    return ids;
  }

  /**
   * Validation and test are labelled as such, not empty, without repeats, and share no task with
   * each other or with the training split.
   */
  public static void assertHeldOutAndDisjoint(Suite suite) {
    for (Split s : Split.values()) {
      SplitTasks tasks = suite.split(s);
      assertEquals(s, tasks.split(), suite.name() + " labels its " + s.label() + " tasks");
      assertFalse(tasks.tasks().isEmpty(), suite.name() + " has " + s.label() + " tasks");
      assertEquals(tasks.tasks().size(), ids(suite, s).size(), s.label() + " has repeats");
    }
    List<Split> all = List.of(Split.values());
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        Set<String> common = new HashSet<>(ids(suite, all.get(i)));
        common.retainAll(ids(suite, all.get(j)));
        assertTrue(
            common.isEmpty(),
            suite.name()
                + ": "
                + all.get(i).label()
                + " and "
                + all.get(j).label()
                + " share "
                + common);
      }
    }
  }

  /** {@code draws} tasks of the training stream, none of them a validation or test task. */
  public static Set<String> assertGeneratorDrawsOnlyTraining(Suite suite, int draws) {
    Set<String> heldOut = new HashSet<>(ids(suite, Split.VALIDATION));
    heldOut.addAll(ids(suite, Split.TEST));
    TaskGenerator g = suite.generator(11);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < draws; i++) {
      String id = g.next().id();
      assertFalse(heldOut.contains(id), id + " is held out but was generated for training");
      seen.add(id);
    }
    return seen;
  }
}
