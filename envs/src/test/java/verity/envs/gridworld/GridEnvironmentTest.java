package verity.envs.gridworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import verity.envs.Environment;

class GridEnvironmentTest {
  final GridAlphabet alphabet = new GridAlphabet(1);
  final GridLevel level = GridLevel.parse("######", "#a@.A#", "#...G#", "######");

  String move(GridAction a) {
    return String.valueOf(a.symbol());
  }

  @Test
  void shouldObserveNeighboursCarriedKeysAndTheGoalDirection() {
    GridEnvironment env = new GridEnvironment(level, alphabet, 10);
    // NW N NE / W E / SW S SE, then the key slot, then the goal's row and column direction.
    assertEquals("###a....-SE", env.reset(0));
    assertEquals("####.#..aSE", env.step(move(GridAction.WEST)).observation());
    env.step(move(GridAction.EAST));
    Environment.Step s = env.step(move(GridAction.EAST));
    assertEquals("###.A..GaSE", s.observation());
    assertFalse(s.done());
  }

  @Test
  void shouldKeepEveryObservationAtFixedLengthAndInTheAlphabet() {
    SplittableRandom random = new SplittableRandom(7);
    for (int pairs = 0; pairs <= 4; pairs++) {
      GridworldSuite suite = new GridworldSuite("g", 14, pairs, 60);
      List<String> symbols = suite.alphabet();
      List<String> moves = suite.actions();
      for (int episode = 0; episode < 30; episode++) {
        Environment env = suite.newEnvironment(suite.generator(episode).next());
        String obs = env.reset(episode);
        boolean done = false;
        while (true) {
          assertEquals(suite.observationTokens(), obs.length());
          for (char c : obs.toCharArray()) {
            assertTrue(symbols.contains(String.valueOf(c)), "'" + c + "' is a symbol");
          }
          if (done) {
            break;
          }
          Environment.Step step = env.step(moves.get(random.nextInt(moves.size())));
          obs = step.observation();
          done = step.done();
        }
      }
    }
  }

  @Test
  void shouldEndTheEpisodeOnASymbolThatIsNoMove() {
    for (String action : new String[] {"#", "a", ".", "-", "?", "x", "n", " "}) {
      GridEnvironment env = new GridEnvironment(level, alphabet, 10);
      String start = env.reset(0);
      Environment.Step step = env.step(action);
      assertTrue(step.done(), "'" + action + "'");
      assertEquals(GridEnvironment.Status.NOT_A_MOVE, env.status(), "'" + action + "'");
      assertEquals(start, step.observation(), "the agent stays where it stood");
    }
  }

  /**
   * An action text that is not exactly one move symbol is no move, like a single symbol that is
   * none: empty (end-of-sequence at once), two moves, or a move with more after it.
   */
  @Test
  void shouldEndTheEpisodeOnAnActionOfOtherThanOneMoveSymbol() {
    for (String action : new String[] {"", "NS", "EE", "E ", "<pad>", "<?99>"}) {
      GridEnvironment env = new GridEnvironment(level, alphabet, 10);
      String start = env.reset(0);
      Environment.Step step = env.step(action);
      assertTrue(step.done(), "'" + action + "'");
      assertEquals(GridEnvironment.Status.NOT_A_MOVE, env.status(), "'" + action + "'");
      assertEquals(1, env.turns(), "it takes a turn");
      assertEquals(start, step.observation(), "the agent stays where it stood");
    }
  }

  @Test
  void shouldEndTheEpisodeAtTheGoal() {
    GridEnvironment env = new GridEnvironment(level, alphabet, 10);
    env.reset(0);
    assertFalse(env.step(move(GridAction.SOUTH)).done());
    assertFalse(env.step(move(GridAction.EAST)).done());
    assertTrue(env.step(move(GridAction.EAST)).done());
    assertEquals(GridEnvironment.Status.REACHED_GOAL, env.status());
  }

  @Test
  void shouldEndTheEpisodeAfterTheHorizonsLastTurn() {
    GridEnvironment env = new GridEnvironment(level, alphabet, 3);
    env.reset(0);
    env.step(move(GridAction.NORTH));
    env.step(move(GridAction.NORTH));
    assertTrue(env.step(move(GridAction.NORTH)).done());
    assertEquals(GridEnvironment.Status.OUT_OF_TURNS, env.status());
    assertEquals(3, env.turns());
  }

  @Test
  void shouldRefuseToStepOutsideAnEpisode() {
    GridEnvironment env = new GridEnvironment(level, alphabet, 1);
    assertThrows(IllegalStateException.class, () -> env.step(move(GridAction.EAST)));
    env.reset(0);
    env.step(move(GridAction.EAST));
    assertThrows(IllegalStateException.class, () -> env.step(move(GridAction.EAST)));
  }

  @Test
  void shouldStartAFreshEpisodeOnReset() {
    GridEnvironment env = new GridEnvironment(level, alphabet, 10);
    String first = env.reset(0);
    env.step(move(GridAction.WEST));
    assertEquals(first, env.reset(1));
    assertEquals(0, env.turns());
  }

  @Test
  void shouldRefuseALevelWithMoreColoursThanItsAlphabet() {
    GridLevel twoPairs = GridLevel.parse("#######", "#a@bAB#", "#....G#", "#######");
    assertThrows(IllegalArgumentException.class, () -> new GridEnvironment(twoPairs, alphabet, 10));
  }
}
