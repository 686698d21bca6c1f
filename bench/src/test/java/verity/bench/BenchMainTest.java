package verity.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchMainTest {

  @Test
  void shouldWriteTheWholeSetsTableToFullOrQuick() {
    assertEquals("full.md", BenchMain.resultsFile(false, Set.of()));
    assertEquals("quick.md", BenchMain.resultsFile(true, Set.of()));
  }

  @Test
  void shouldNameAPartialRunsTableAfterItsBenchmarks() {
    // A partial run once overwrote the whole set's full.md with its two rows.
    assertEquals("learning-speed.md", BenchMain.resultsFile(false, Set.of("learning-speed")));
    assertEquals("areal-control-quick.md", BenchMain.resultsFile(true, Set.of("areal-control")));
    assertEquals(
        "verifiers+memory.md",
        BenchMain.resultsFile(false, new LinkedHashSet<>(List.of("verifiers", "memory"))));
  }
}
