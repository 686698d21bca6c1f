package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;

/** When the evaluator evaluates, and whom a result answers. */
class EvaluationScheduleTest {
  static PolicyVersion v(long value) {
    return PolicyVersion.of(value);
  }

  @Test
  void shouldEvaluateTheFirstVersionThenEveryNVersions() {
    EvaluationSchedule<String> schedule = new EvaluationSchedule<>(10);
    assertTrue(schedule.due(v(3)), "the first version held");
    schedule.evaluated(v(3));
    assertFalse(schedule.due(v(3)), "not the same version again");
    assertFalse(schedule.due(v(12)));
    assertTrue(schedule.due(v(13)));
    assertTrue(schedule.due(v(40)), "a version past the interval, however far");
  }

  @Test
  void shouldEvaluateAVersionSomeoneWaitsForAndAnswerThoseItSatisfies() {
    EvaluationSchedule<String> schedule = new EvaluationSchedule<>(10);
    schedule.evaluated(v(3));
    schedule.ask(v(5), "a");
    schedule.ask(v(9), "b");
    schedule.ask(v(4), "c");
    assertTrue(schedule.due(v(4)), "c waits for 4");
    assertTrue(schedule.due(v(5)), "a waits for 5");
    assertEquals(3, schedule.waiting());

    assertEquals(List.of("a", "c"), schedule.evaluated(v(5)), "in the order they asked");
    assertEquals(1, schedule.waiting());
    assertFalse(schedule.due(v(8)), "b waits for 9, and 8 is not due by the interval");
    assertTrue(schedule.due(v(9)));
    assertEquals(List.of("b"), schedule.evaluated(v(9)));
    assertEquals(0, schedule.waiting());
  }

  @Test
  void shouldCountANewerEpochsVersionAsNewerForThoseWhoWait() {
    EvaluationSchedule<String> schedule = new EvaluationSchedule<>(10);
    schedule.evaluated(v(20));
    schedule.ask(v(20).next(), "a");
    PolicyVersion resumed = new PolicyVersion(1, 15); // a resume went back to step 15
    assertTrue(schedule.due(resumed), "a newer epoch answers a wait for v21 of the old one");
    assertEquals(List.of("a"), schedule.evaluated(resumed));
  }
}
