package verity.envs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SuitesTest {
  @Test
  void shouldNameTheKnownSuitesWhenOneIsUnknown() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Suites.byName("chess"));
    assertTrue(e.getMessage().contains("'chess'") && e.getMessage().contains("arith, arith2"));
  }

  @Test
  void shouldFindSuitesByName() {
    assertEquals("arith2", Suites.byName("arith2").name());
  }

  @Test
  void shouldEndASingleTurnEpisodeAfterOneAction() {
    Environment env = new SingleTurnEnvironment();
    assertEquals(0, env.reset(1).length);
    assertTrue(env.step(new int[] {Vocabulary.EOS}).done());
    assertThrows(IllegalStateException.class, () -> env.step(new int[] {Vocabulary.EOS}));
  }
}
