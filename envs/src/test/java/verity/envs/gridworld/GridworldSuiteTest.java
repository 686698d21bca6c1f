package verity.envs.gridworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import verity.envs.Alphabets;
import verity.envs.CheckResult;
import verity.envs.Environment;
import verity.envs.MalformedTaskException;
import verity.envs.Outcome;
import verity.envs.Split;
import verity.envs.SplitChecks;
import verity.envs.Suites;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.UnknownTaskException;

class GridworldSuiteTest {
  final GridworldSuite suite = GridworldSuite.small();

  String demo(Task t) {
    return suite.demonstration(t).orElseThrow();
  }

  @Test
  void shouldRegisterTheSmallSuiteAsGridworld() {
    assertEquals("gridworld", Suites.byName("gridworld").name());
    assertEquals(1, suite.maxCompletionTokens());
    assertTrue(suite.horizon() >= 256);
    assertEquals(17, suite.maxPromptTokens());
    assertEquals(List.of("N", "S", "W", "E"), suite.actions());
  }

  @Test
  void shouldOrderTheAlphabetMovesCellsNothingKeysThenDoors() {
    assertEquals(Alphabets.of("NSWE.#G@-"), new GridworldSuite("g", 6, 0, 60).alphabet());
    assertEquals(Alphabets.of("NSWE.#G@-abcABC"), new GridworldSuite("g", 14, 3, 60).alphabet());
  }

  @Test
  void shouldVerifyDemonstrationsAsCorrect() {
    TaskGenerator g = suite.generator(3);
    for (int i = 0; i < 200; i++) {
      Task t = g.next();
      String demo = demo(t);
      assertEquals(successFor(t, demo.length()), suite.check(t, demo), t.id());
    }
  }

  @Test
  void shouldCallALogThatStopsShortOfTheGoalWrongWhateverTheWorkerClaims() {
    Task t = suite.lookup("g6-42");
    String log = demo(t);
    // A lying worker reports success for a log one move short; the verifier replays it itself.
    String shortLog = log.substring(0, log.length() - 1);
    CheckResult r = suite.check(t, shortLog);
    assertEquals(Outcome.WRONG, r.outcome());
    assertEquals(0.0, r.reward());
  }

  @Test
  void shouldCallALogThatWandersUntilTheHorizonWrong() {
    Task t = suite.lookup("g6-42");
    String bumping = "N".repeat(suite.horizon() + 5);
    // Walking north forever reaches the outer wall and stays there.
    assertEquals(Outcome.WRONG, suite.check(t, bumping).outcome());
  }

  @Test
  void shouldCallACharacterThatIsNoMoveMalformed() {
    Task t = suite.lookup("g6-42");
    String log = demo(t);
    // '?' as the old log wrote padding, begin/end-of-sequence and unknown tokens; '.' and 'A' are
    // symbols of the alphabet that are no moves.
    for (char bad : new char[] {'?', '.', 'A', '#', 'x', ' '}) {
      String spoilt = log.charAt(0) + String.valueOf(bad) + log.substring(2);
      assertEquals(Outcome.MALFORMED, suite.check(t, spoilt).outcome(), "'" + bad + "'");
    }
    assertEquals(Outcome.MALFORMED, suite.check(t, "NX").outcome());
  }

  @Test
  void shouldIgnoreWhatFollowsTheGoal() {
    Task t = suite.lookup("g6-42");
    String log = demo(t) + "??S";
    assertEquals(successFor(t, demo(t).length()), suite.check(t, log));
  }

  @Test
  void shouldIgnoreMovesPastTheHorizon() {
    GridworldSuite tight = new GridworldSuite("tight", 6, 1, 4);
    Task t = tight.lookup("g6-42");
    String log = tight.demonstration(t).orElseThrow();
    assertTrue(log.length() > 4, "this level needs more than four moves");
    assertEquals(Outcome.WRONG, tight.check(t, log).outcome());
    assertEquals(successFor(t, log.length()), suite.check(t, log));
  }

  /** MiniGrid's reward for reaching the goal of {@code t}'s level after {@code turns} turns. */
  CheckResult successFor(Task t, int turns) {
    return new CheckResult(1.0 - 0.9 * turns / suite.horizon(t), Outcome.CORRECT, turns + " turns");
  }

  /** A move that leaves the agent on its start cell (into a wall or a locked door). */
  static String standStill(GridTask t) {
    GridDynamics d = new GridDynamics(t.level());
    for (GridAction a : GridAction.values()) {
      if (d.next(d.start(), a).equals(d.start())) {
        return String.valueOf(a.symbol());
      }
    }
    throw new AssertionError(t.id() + " has no blocked move at its start");
  }

  /**
   * The registered suite gives a level four times the turns of its shortest path: the environment
   * ends a wandering episode then, and the check accepts the goal on that turn and not after it.
   */
  @Test
  void shouldGiveEachLevelFourTimesTheTurnsOfItsShortestPath() {
    TaskGenerator g = suite.generator(17);
    for (int i = 0; i < 50; i++) {
      GridTask t = (GridTask) g.next();
      String demo = demo(t);
      int horizon = 4 * demo.length();
      Environment env = suite.newEnvironment(t);
      env.reset(0);
      String wait = standStill(t);
      for (int turn = 1; turn < horizon; turn++) {
        assertFalse(env.step(wait).done(), t.id() + " ended after " + turn + " turns");
      }
      assertTrue(env.step(wait).done(), t.id() + " runs past " + horizon + " turns");

      String late = wait.repeat(horizon - demo.length()) + demo;
      CheckResult lastTurn = suite.check(t, late);
      assertEquals(Outcome.CORRECT, lastTurn.outcome(), t.id());
      assertEquals(0.1, lastTurn.reward(), 1e-9, t.id());
      String tooLate = wait + late;
      assertEquals(Outcome.WRONG, suite.check(t, tooLate).outcome(), t.id());
    }
  }

  @Test
  void shouldRewardAShortPathMoreThanALongOne() {
    GridTask t = (GridTask) suite.lookup("g6-42");
    String demo = demo(t);
    // Dawdling first (as many turns against a wall as the path is long), then the shortest path.
    String dawdle = standStill(t).repeat(demo.length()) + demo;
    CheckResult slow = suite.check(t, dawdle);
    CheckResult fast = suite.check(t, demo);
    assertEquals(Outcome.CORRECT, slow.outcome());
    assertTrue(fast.reward() > slow.reward(), fast + " vs " + slow);
  }

  @Test
  void shouldRebuildTheSameLevelFromTheSameId() {
    TaskGenerator g = suite.generator(11);
    for (int i = 0; i < 50; i++) {
      GridTask t = (GridTask) g.next();
      GridTask again = (GridTask) new GridworldSuite("gridworld", 6, 1, 256).lookup(t.id());
      assertEquals(t.level(), again.level());
      assertEquals(t.prompt(), again.prompt());
      assertEquals(t.id(), again.id());
    }
  }

  @Test
  void shouldRefuseIdsThatNameNoLevelOfThisSuite() {
    for (String id : new String[] {"g8-1", "g6-", "g6-x", "g6--1", "g6-007", "6-1", "g6-1 "}) {
      assertThrows(UnknownTaskException.class, () -> suite.lookup(id), id);
    }
  }

  @Test
  void shouldReadTaskRecordsByIdOrBySizeAndSeed() {
    Task byId = suite.taskFromRecord(Map.of("id", "g6-42"));
    Task bySeed = suite.taskFromRecord(Map.of("size", 6, "seed", 42));
    assertEquals("g6-42", bySeed.id());
    assertEquals(((GridTask) byId).level(), ((GridTask) bySeed).level());
    assertThrows(
        MalformedTaskException.class, () -> suite.taskFromRecord(Map.of("size", 8, "seed", 1)));
    assertThrows(MalformedTaskException.class, () -> suite.taskFromRecord(Map.of("id", "g6")));
    assertThrows(MalformedTaskException.class, () -> suite.taskFromRecord(Map.of("seed", 1)));
  }

  @Test
  void shouldHoldOutDisjointValidationAndTestLevels() {
    SplitChecks.assertHeldOutAndDisjoint(suite);
    assertEquals(GridworldSuite.EVALUATION_LEVELS, suite.split(Split.VALIDATION).tasks().size());
    assertEquals(GridworldSuite.EVALUATION_LEVELS, suite.split(Split.TEST).tasks().size());
  }

  @Test
  void shouldHoldOutWholeLayoutsWithAllTheirStartCells() {
    Map<Integer, Split> splitOfLayout = new HashMap<>();
    for (long seed = 0; seed < 20_000; seed++) {
      GridLevel level = suite.task(seed).level();
      Split s = GridworldSuite.splitOf(level);
      Split before = splitOfLayout.putIfAbsent(level.layoutHashCode(), s);
      assertTrue(before == null || before == s, "layout of g6-" + seed + " in two splits");
    }
    for (Split s : Split.values()) {
      for (Task t : suite.split(s).tasks()) {
        assertEquals(s, splitOfLayout.get(((GridTask) t).level().layoutHashCode()), t.id());
      }
    }
  }

  @Test
  void shouldShareTheLayoutHashBetweenStartCellsOnly() {
    GridLevel a = GridLevel.parse("#####", "#@..#", "#..G#", "#####");
    GridLevel b = GridLevel.parse("#####", "#..@#", "#..G#", "#####");
    GridLevel c = GridLevel.parse("#####", "#@.G#", "#...#", "#####");
    assertEquals(a.layoutHashCode(), b.layoutHashCode());
    assertEquals(GridworldSuite.splitOf(a), GridworldSuite.splitOf(b));
    assertFalse(a.layoutHashCode() == c.layoutHashCode());
  }

  @Test
  void shouldNeverDrawAValidationOrTestLayoutForTraining() {
    TaskGenerator g = suite.generator(5);
    for (int i = 0; i < 5_000; i++) {
      GridLevel level = ((GridTask) g.next()).level();
      assertEquals(Split.TRAIN, GridworldSuite.splitOf(level));
    }
    SplitChecks.assertGeneratorDrawsOnlyTraining(suite, 5_000);
  }

  @Test
  void shouldDrawTheSameTrainingStreamFromTheSameSeed() {
    TaskGenerator a = suite.generator(9);
    TaskGenerator b = suite.generator(9);
    for (int i = 0; i < 20; i++) {
      assertEquals(a.next().id(), b.next().id());
    }
  }

  @Test
  void shouldStartEveryEpisodeOnTheTasksLevel() {
    GridTask t = (GridTask) suite.lookup("g6-42");
    String prompt = t.prompt();
    assertEquals(suite.maxPromptTokens() - 1, prompt.length());
    assertEquals(1, prompt.chars().filter(c -> c == '@').count());
    assertEquals(suite.observationTokens(), suite.newEnvironment(t).reset(0).length());
  }

  /**
   * Random logs, mostly moves with now and then a character that is not: after every step the
   * environment's status and the replay of the log so far must tell the same story. Each turn's
   * action is one character, as a policy limited to one token of a character tokenizer writes.
   */
  @Test
  void shouldAgreeWithTheReplayOnEveryStepOfRandomLogs() {
    SplittableRandom random = new SplittableRandom(2024);
    // {size, pairs, turns}: a fixed horizon; a fourth element asks for turns per shortest move.
    for (int[] config : new int[][] {{6, 1, 40}, {9, 2, 80}, {5, 0, 12}, {6, 1, 256, 4}}) {
      GridHorizon horizon =
          config.length == 4
              ? GridHorizon.perShortestMove(config[3], config[2])
              : GridHorizon.fixed(config[2]);
      GridworldSuite s = new GridworldSuite("p", config[0], config[1], horizon);
      TaskGenerator g = s.generator(config[0]);
      for (int episode = 0; episode < 150; episode++) {
        Task t = g.next();
        GridEnvironment env = (GridEnvironment) s.newEnvironment(t);
        env.reset(episode);
        String log = "";
        boolean done = false;
        while (!done) {
          String action =
              random.nextInt(50) == 0
                  ? anyCharacter(s, random)
                  : s.actions().get(random.nextInt(4));
          log += action;
          Environment.Step step = env.step(action);
          done = step.done();
          Outcome replayed = s.check(t, log).outcome();
          Outcome expected =
              switch (env.status()) {
                case REACHED_GOAL -> Outcome.CORRECT;
                case NOT_A_MOVE -> Outcome.MALFORMED;
                default -> Outcome.WRONG;
              };
          assertEquals(expected, replayed, t.id() + " after " + log.length() + " turns");
        }
        String longer = log + anyCharacter(s, random);
        assertEquals(
            s.check(t, log),
            s.check(t, longer),
            "turns after the end of the episode change nothing");
      }
    }
  }

  /**
   * A character of the suite's alphabet or, as often as the old log read a special token, {@code
   * ?}, which is none.
   */
  static String anyCharacter(GridworldSuite s, SplittableRandom random) {
    int i = random.nextInt(s.alphabet().size() + 3);
    return i < 3 ? "?" : s.alphabet().get(i - 3);
  }
}
