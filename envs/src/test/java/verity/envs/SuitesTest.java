package verity.envs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
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
    assertEquals("", env.reset(1));
    assertTrue(env.step("").done());
    assertThrows(IllegalStateException.class, () -> env.step(""));
  }

  /**
   * A character tokenizer gives ids 3, 4, ... to the alphabet in its order, and learning results
   * were made with the ids the suites had before they spoke text: each alphabet must keep the order
   * of those ids.
   */
  @Test
  void shouldKeepEachAlphabetInTheOrderOfTheSuitesTokenIds() {
    StringBuilder printable = new StringBuilder();
    for (char c = ' '; c <= '~'; c++) {
      printable.append(c);
    }
    Map<String, String> expected =
        Map.of(
            "arith", "0123456789+=",
            "arith2", "0123456789+=",
            "gridworld", "NSWE.#G@-aA",
            "dsl-code", "0123456789x+-*dspma[]=;",
            "math", printable + "\n",
            "python-code", "\n\t" + printable);
    assertEquals(Set.copyOf(Suites.names()), expected.keySet(), "every built-in suite is pinned");
    for (String name : Suites.names()) {
      assertEquals(
          Alphabets.of(expected.get(name)), Suites.byName(name).alphabet(), name + "'s alphabet");
    }
  }

  /**
   * Whatever a built-in suite writes (prompts of training, validation and test tasks, environment
   * observations, demonstrations) is made of its alphabet's characters, so a character tokenizer
   * built from the alphabet encodes all of it.
   */
  @Test
  void shouldWriteEverySuitesTextInItsAlphabet() {
    for (String name : Suites.names()) {
      Suite suite = Suites.byName(name);
      List<String> alphabet = suite.alphabet();
      assertFalse(alphabet.isEmpty(), name);
      assertEquals(alphabet.size(), new HashSet<>(alphabet).size(), name + " repeats a character");
      for (String symbol : alphabet) {
        assertEquals(1, symbol.length(), name + ": '" + symbol + "' is not one character");
      }
      for (String action : suite.actions()) {
        assertTrue(alphabet.contains(action), name + ": action '" + action + "' not in alphabet");
      }
      Set<Character> characters = new HashSet<>();
      alphabet.forEach(s -> characters.add(s.charAt(0)));

      List<Task> tasks = new ArrayList<>();
      TaskGenerator g = suite.generator(7);
      for (int i = 0; i < 50; i++) {
        tasks.add(g.next());
      }
      for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
        List<Task> held = suite.split(s).tasks();
        tasks.addAll(held.subList(0, Math.min(50, held.size())));
      }
      SplittableRandom random = new SplittableRandom(3);
      for (Task t : tasks) {
        String where = name + " " + t.id();
        assertInAlphabet(characters, t.prompt(), where + " prompt");
        assertTrue(t.prompt().length() + 1 <= suite.maxPromptTokens(), where + " prompt length");
        suite.demonstration(t).ifPresent(d -> assertInAlphabet(characters, d, where + " demo"));

        Environment env = suite.newEnvironment(t);
        assertInAlphabet(characters, env.reset(1), where + " first observation");
        boolean done = false;
        for (int turn = 0; turn < 8 && !done; turn++) {
          List<String> actions = suite.actions();
          String action =
              actions.isEmpty()
                  ? suite.demonstration(t).orElse("")
                  : actions.get(random.nextInt(actions.size()));
          Environment.Step step = env.step(action);
          assertInAlphabet(characters, step.observation(), where + " turn " + (turn + 1));
          done = step.done();
        }
      }
    }
  }

  private static void assertInAlphabet(Set<Character> alphabet, String text, String what) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      assertTrue(
          alphabet.contains(c),
          what + ": U+" + String.format("%04X", (int) c) + " at " + i + " is not in the alphabet");
    }
  }
}
