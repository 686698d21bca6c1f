package verity.envs.gridworld;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
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
import verity.envs.Vocabulary;

class GridworldSuiteTest {
  final GridworldSuite suite = GridworldSuite.small();

  int[] demo(Task t) {
    return suite.demonstration(t).orElseThrow();
  }

  static int[] append(int[] log, int... more) {
    int[] out = Arrays.copyOf(log, log.length + more.length);
    System.arraycopy(more, 0, out, log.length, more.length);
    return out;
  }

  @Test
  void shouldRegisterTheSmallSuiteAsGridworld() {
    assertEquals("gridworld", Suites.byName("gridworld").name());
    assertEquals(1, suite.maxCompletionTokens());
    assertTrue(suite.horizon() >= 256);
    assertEquals(17, suite.maxPromptTokens());
  }

  @Test
  void shouldVerifyDemonstrationsAsCorrect() {
    TaskGenerator g = suite.generator(3);
    for (int i = 0; i < 200; i++) {
      Task t = g.next();
      int[] demo = demo(t);
      assertEquals(successFor(demo.length), suite.check(t, suite.completionText(demo)), t.id());
    }
  }

  @Test
  void shouldCallALogThatStopsShortOfTheGoalWrongWhateverTheWorkerClaims() {
    Task t = suite.lookup("g6-42");
    int[] log = demo(t);
    // A lying worker reports success for a log one move short; the verifier replays it itself.
    int[] shortLog = Arrays.copyOf(log, log.length - 1);
    CheckResult r = suite.check(t, suite.completionText(shortLog));
    assertEquals(Outcome.WRONG, r.outcome());
    assertEquals(0.0, r.reward());
  }

  @Test
  void shouldCallALogThatWandersUntilTheHorizonWrong() {
    Task t = suite.lookup("g6-42");
    int[] bumping = new int[suite.horizon() + 5];
    Arrays.fill(bumping, new GridTokens(1).action(GridAction.NORTH));
    // Walking north forever reaches the outer wall and stays there.
    assertEquals(Outcome.WRONG, suite.check(t, suite.completionText(bumping)).outcome());
  }

  @Test
  void shouldCallATokenThatIsNoMoveMalformed() {
    Task t = suite.lookup("g6-42");
    int[] log = demo(t);
    for (int bad : new int[] {Vocabulary.PAD, Vocabulary.BOS, Vocabulary.EOS, 7, 13, 99, -1}) {
      int[] spoilt = log.clone();
      spoilt[1] = bad;
      assertEquals(
          Outcome.MALFORMED, suite.check(t, suite.completionText(spoilt)).outcome(), "" + bad);
    }
    assertEquals(Outcome.MALFORMED, suite.check(t, "NX").outcome());
  }

  @Test
  void shouldIgnoreWhatFollowsTheGoal() {
    Task t = suite.lookup("g6-42");
    int[] log = append(demo(t), Vocabulary.EOS, Vocabulary.PAD, 4);
    assertEquals(successFor(demo(t).length), suite.check(t, suite.completionText(log)));
  }

  @Test
  void shouldIgnoreMovesPastTheHorizon() {
    GridworldSuite tight = new GridworldSuite("tight", 6, 1, 4);
    Task t = tight.lookup("g6-42");
    int[] log = tight.demonstration(t).orElseThrow();
    assertTrue(log.length > 4, "this level needs more than four moves");
    assertEquals(Outcome.WRONG, tight.check(t, tight.completionText(log)).outcome());
    assertEquals(successFor(log.length), suite.check(t, suite.completionText(log)));
  }

  /** MiniGrid's reward for reaching the goal after {@code turns} turns. */
  CheckResult successFor(int turns) {
    return new CheckResult(1.0 - 0.9 * turns / suite.horizon(), Outcome.CORRECT, turns + " turns");
  }

  @Test
  void shouldRewardAShortPathMoreThanALongOne() {
    Task t = suite.lookup("g6-42");
    int[] demo = demo(t);
    int north = new GridTokens(1).action(GridAction.NORTH);
    int south = new GridTokens(1).action(GridAction.SOUTH);
    // Dawdling first (north then south, twenty times) and then walking the shortest path.
    int[] dawdle = new int[40 + demo.length];
    for (int i = 0; i < 40; i += 2) {
      dawdle[i] = north;
      dawdle[i + 1] = south;
    }
    System.arraycopy(demo, 0, dawdle, 40, demo.length);
    CheckResult slow = suite.check(t, suite.completionText(dawdle));
    CheckResult fast = suite.check(t, suite.completionText(demo));
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
      assertArrayEquals(t.prompt(), again.prompt());
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
    int[] prompt = t.prompt();
    assertEquals(suite.maxPromptTokens() - 1, prompt.length);
    assertEquals(1, Arrays.stream(prompt).filter(x -> x == suite.vocabulary().id("@")).count());
    assertEquals(suite.observationTokens(), suite.newEnvironment(t).reset(0).length);
  }

  /**
   * Random logs, mostly moves with now and then a token that is not: after every step the
   * environment's status and the replay of the log so far must tell the same story.
   */
  @Test
  void shouldAgreeWithTheReplayOnEveryStepOfRandomLogs() {
    SplittableRandom random = new SplittableRandom(2024);
    for (int[] config : new int[][] {{6, 1, 40}, {9, 2, 80}, {5, 0, 12}}) {
      GridworldSuite s = new GridworldSuite("p", config[0], config[1], config[2]);
      TaskGenerator g = s.generator(config[0]);
      for (int episode = 0; episode < 150; episode++) {
        Task t = g.next();
        GridEnvironment env = (GridEnvironment) s.newEnvironment(t);
        env.reset(episode);
        int[] log = new int[0];
        boolean done = false;
        while (!done) {
          int token =
              random.nextInt(50) == 0
                  ? random.nextInt(s.vocabulary().size())
                  : 3 + random.nextInt(4);
          log = append(log, token);
          Environment.Step step = env.step(new int[] {token});
          done = step.done();
          Outcome replayed = s.check(t, s.completionText(log)).outcome();
          Outcome expected =
              switch (env.status()) {
                case REACHED_GOAL -> Outcome.CORRECT;
                case NOT_A_MOVE -> Outcome.MALFORMED;
                default -> Outcome.WRONG;
              };
          assertEquals(expected, replayed, t.id() + " after " + log.length + " turns");
        }
        int[] longer = append(log, random.nextInt(s.vocabulary().size()));
        assertEquals(
            s.check(t, s.completionText(log)),
            s.check(t, s.completionText(longer)),
            "tokens after the end of the episode change nothing");
      }
    }
  }
}
