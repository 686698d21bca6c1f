package verity.envs.gridworld;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import verity.envs.Environment;
import verity.envs.Vocabulary;

class GridEnvironmentTest {
  final GridTokens tokens = new GridTokens(1);
  final GridLevel level = GridLevel.parse("######", "#a@.A#", "#...G#", "######");

  int[] move(GridAction a) {
    return new int[] {tokens.action(a)};
  }

  int[] symbols(String s) {
    int[] out = new int[s.length()];
    for (int i = 0; i < s.length(); i++) {
      out[i] = tokens.symbol(s.charAt(i));
    }
    return out;
  }

  @Test
  void shouldObserveNeighboursCarriedKeysAndTheGoalDirection() {
    GridEnvironment env = new GridEnvironment(level, tokens, 10);
    // NW N NE / W E / SW S SE, then the key slot, then the goal's row and column direction.
    assertArrayEquals(symbols("###a....-SE"), env.reset(0));
    assertArrayEquals(symbols("####.#..aSE"), env.step(move(GridAction.WEST)).observation());
    env.step(move(GridAction.EAST));
    Environment.Step s = env.step(move(GridAction.EAST));
    assertArrayEquals(symbols("###.A..GaSE"), s.observation());
    assertFalse(s.done());
  }

  @Test
  void shouldKeepEveryObservationAtFixedLengthAndInTheVocabulary() {
    SplittableRandom random = new SplittableRandom(7);
    for (int pairs = 0; pairs <= 4; pairs++) {
      GridworldSuite suite = new GridworldSuite("g", 14, pairs, 60);
      Vocabulary v = suite.vocabulary();
      for (int episode = 0; episode < 30; episode++) {
        Environment env = suite.newEnvironment(suite.generator(episode).next());
        int[] obs = env.reset(episode);
        boolean done = false;
        while (true) {
          assertEquals(suite.observationTokens(), obs.length);
          for (int t : obs) {
            assertTrue(t > Vocabulary.EOS && t < v.size(), "token " + t + " is a symbol");
          }
          if (done) {
            break;
          }
          Environment.Step step = env.step(new int[] {3 + random.nextInt(4)});
          obs = step.observation();
          done = step.done();
        }
      }
    }
  }

  @Test
  void shouldEndTheEpisodeOnATokenThatIsNoMove() {
    for (int token : new int[] {Vocabulary.PAD, Vocabulary.EOS, tokens.symbol('#'), 99}) {
      GridEnvironment env = new GridEnvironment(level, tokens, 10);
      env.reset(0);
      assertTrue(env.step(new int[] {token}).done());
      assertEquals(GridEnvironment.Status.NOT_A_MOVE, env.status());
    }
  }

  @Test
  void shouldEndTheEpisodeAtTheGoal() {
    GridEnvironment env = new GridEnvironment(level, tokens, 10);
    env.reset(0);
    assertFalse(env.step(move(GridAction.SOUTH)).done());
    assertFalse(env.step(move(GridAction.EAST)).done());
    assertTrue(env.step(move(GridAction.EAST)).done());
    assertEquals(GridEnvironment.Status.REACHED_GOAL, env.status());
  }

  @Test
  void shouldEndTheEpisodeAfterTheHorizonsLastTurn() {
    GridEnvironment env = new GridEnvironment(level, tokens, 3);
    env.reset(0);
    env.step(move(GridAction.NORTH));
    env.step(move(GridAction.NORTH));
    assertTrue(env.step(move(GridAction.NORTH)).done());
    assertEquals(GridEnvironment.Status.OUT_OF_TURNS, env.status());
    assertEquals(3, env.turns());
  }

  @Test
  void shouldRefuseToStepOutsideAnEpisode() {
    GridEnvironment env = new GridEnvironment(level, tokens, 1);
    assertThrows(IllegalStateException.class, () -> env.step(move(GridAction.EAST)));
    env.reset(0);
    env.step(move(GridAction.EAST));
    assertThrows(IllegalStateException.class, () -> env.step(move(GridAction.EAST)));
  }

  @Test
  void shouldStartAFreshEpisodeOnReset() {
    GridEnvironment env = new GridEnvironment(level, tokens, 10);
    int[] first = env.reset(0);
    env.step(move(GridAction.WEST));
    assertArrayEquals(first, env.reset(1));
    assertEquals(0, env.turns());
  }

  @Test
  void shouldRejectAnActionThatIsNotOneToken() {
    GridEnvironment env = new GridEnvironment(level, tokens, 10);
    env.reset(0);
    assertThrows(IllegalArgumentException.class, () -> env.step(new int[0]));
    assertThrows(
        IllegalArgumentException.class,
        () -> env.step(new int[] {tokens.action(GridAction.EAST), Vocabulary.EOS}));
  }
}
