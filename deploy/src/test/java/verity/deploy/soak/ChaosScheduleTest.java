package verity.deploy.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChaosScheduleTest {
  static List<ChaosSchedule.Fault> draw(long seed, int n) {
    ChaosSchedule s = new ChaosSchedule(seed, Duration.ofSeconds(30), Duration.ofSeconds(60), 3);
    return IntStream.range(0, n).mapToObj(i -> s.next()).toList();
  }

  @Test
  void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
    assertEquals(draw(7, 20), draw(7, 20));
    assertTrue(!draw(7, 20).equals(draw(8, 20)));
  }

  @Test
  void waitsStayInBoundsEveryKindOccursAndEveryThirdFaultAimsAtTheCoordinator() {
    List<ChaosSchedule.Fault> faults = draw(1, 300);
    Map<ChaosSchedule.Kind, Integer> kinds = new EnumMap<>(ChaosSchedule.Kind.class);
    for (int i = 0; i < faults.size(); i++) {
      ChaosSchedule.Fault f = faults.get(i);
      assertTrue(f.after().toMillis() >= 30_000 && f.after().toMillis() <= 60_000, f.toString());
      assertTrue(f.pick() >= 0 && f.pick() < 1);
      assertTrue(f.freeze().toSeconds() >= 20 && f.freeze().toSeconds() <= 30);
      assertEquals((i + 1) % 3 == 0, f.coordinator(), "fault " + (i + 1));
      kinds.merge(f.kind(), 1, Integer::sum);
    }
    assertEquals(
        Map.of(
            ChaosSchedule.Kind.KILL,
            100,
            ChaosSchedule.Kind.STOP,
            100,
            ChaosSchedule.Kind.DRAIN,
            100),
        kinds);
    for (int round = 0; round < 100; round++) {
      assertEquals(
          3,
          faults.subList(3 * round, 3 * round + 3).stream()
              .map(ChaosSchedule.Fault::kind)
              .distinct()
              .count(),
          "every round of three holds each kind once");
    }
  }
}
