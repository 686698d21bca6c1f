package verity.envs.gridworld;

import static java.util.stream.Collectors.joining;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import verity.envs.CheckPlan;
import verity.envs.Environment;
import verity.envs.MalformedTaskException;
import verity.envs.Split;
import verity.envs.SplitTasks;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.UnknownTaskException;

/**
 * Keys and doors: walk a square level to its goal, picking up keys and opening the locked doors on
 * the way, within the level's horizon ({@link GridHorizon}: a fixed number of turns, or a multiple
 * of the level's shortest path). Reaching the goal after t of H turns earns 1 - 0.9 t / H, else 0.
 *
 * <p>Alphabet ({@link GridAlphabet}), one character per symbol, in this order (a character
 * tokenizer gives ids 0-2 to pad/bos/eos, then follows it): 3 {@code N}, 4 {@code S}, 5 {@code W},
 * 6 {@code E} (the moves), 7 {@code .} floor, 8 {@code #} wall, 9 {@code G} goal, 10 {@code @}
 * agent, 11 {@code -} nothing, then keys {@code a..} and doors {@code A..}, one per pair.
 *
 * <p>Prompt: the level inside its outer wall, row by row, {@code (size-2)^2} characters, the
 * agent's start drawn as {@code @}. Action: one move symbol per turn ({@link #actions()}); walking
 * onto a key picks it up, walking into a locked door with its key opens it (keys are kept); any
 * other action text ends the episode. Observation after {@link Environment#reset} and every step,
 * {@code 8 + pairs + 2} characters: the eight cells around the agent in reading order (NW, N, NE,
 * W, E, SW, S, SE; outside the level reads {@code #}, a taken key or opened door reads {@code .}),
 * then one slot per colour holding that key's symbol or {@code -}, then the goal's direction as a
 * row symbol ({@code N}, {@code S} or {@code -}) and a column symbol ({@code W}, {@code E} or
 * {@code -}).
 *
 * <p>The check replays the action log (the turns' action texts one after another, so one character
 * per turn) in its own simulator built from the task id; any character that is not a move makes the
 * log malformed, moves after the goal or the horizon are ignored. An action text of other than one
 * character ends the episode too, but shifts the log off one character per turn, so the replay
 * reads it otherwise (an empty one is no turn, {@code NS} two moves); a policy held to {@link
 * #actions()} and one token per turn ({@link #maxCompletionTokens()}) never writes one. Ids are
 * {@code g<size>-<seed>}.
 *
 * <p>Splits hold out whole LAYOUTS (walls, keys, doors, goal) with all their start cells: a hash of
 * the layout ({@link GridLevel#layoutHashCode()}) puts about one layout in ten in validation and
 * one in ten in test, the rest in training, so no validation or test level is a training level with
 * the agent elsewhere. The training stream skips levels of held-out layouts; the validation and
 * test sets are the first {@value #EVALUATION_LEVELS} distinct levels of their split by seed. The
 * registered {@code gridworld} is {@link #small()}; a 16x16 level with three doors is {@code new
 * GridworldSuite("gridworld-16", 16, 3, 1024)}.
 */
public final class GridworldSuite implements Suite {
  /** How many levels the validation and the test set each hold, when the size has that many. */
  public static final int EVALUATION_LEVELS = 100;

  /** About one layout in this many goes to validation, and as many to test. */
  private static final int HELD_OUT_ONE_IN = 10;

  private static final long SPLIT_SALT = 0x6121_D000L;

  /**
   * Seeds scanned for each split's levels; small sizes have fewer than {@link #EVALUATION_LEVELS}.
   */
  private static final int EVALUATION_SCAN = 10_000;

  private final String name;
  private final int size;
  private final int pairs;
  private final GridHorizon horizon;
  private final GridAlphabet alphabet;
  private final Map<Split, SplitTasks> splits = new EnumMap<>(Split.class);

  /**
   * @param size the side of the square level, outer wall included, in {@value
   *     GridLevelGenerator#MIN_SIZE}..{@value GridLevelGenerator#MAX_SIZE}
   * @param pairs key/door pairs, at most {@link GridLevelGenerator#maxPairs(int)} for the size
   * @param horizon turns an episode may take, on every level
   */
  public GridworldSuite(String name, int size, int pairs, int horizon) {
    this(name, size, pairs, GridHorizon.fixed(horizon));
  }

  /**
   * @param size the side of the square level, outer wall included, in {@value
   *     GridLevelGenerator#MIN_SIZE}..{@value GridLevelGenerator#MAX_SIZE}
   * @param pairs key/door pairs, at most {@link GridLevelGenerator#maxPairs(int)} for the size
   * @param horizon the turns an episode on each level may take
   */
  public GridworldSuite(String name, int size, int pairs, GridHorizon horizon) {
    if (size < GridLevelGenerator.MIN_SIZE || size > GridLevelGenerator.MAX_SIZE) {
      throw new IllegalArgumentException(
          "size must be in "
              + GridLevelGenerator.MIN_SIZE
              + ".."
              + GridLevelGenerator.MAX_SIZE
              + ", got "
              + size);
    }
    if (pairs < 0 || pairs > GridLevelGenerator.maxPairs(size)) {
      throw new IllegalArgumentException(
          "pairs must be in 0.." + GridLevelGenerator.maxPairs(size) + " for size " + size);
    }
    this.name = name;
    this.size = size;
    this.pairs = pairs;
    this.horizon = horizon;
    this.alphabet = new GridAlphabet(pairs);
    scanSplits();
  }

  /**
   * {@code gridworld}: 6x6 with one key and one door; a level's episode may take four times the
   * turns of its shortest path (at most 52). Small enough for a GRU on two CPU cores (16-character
   * prompt, 11-character observations, shortest paths of 3 to 13 moves), yet with about two
   * thousand distinct levels, so 100 levels of held-out layouts measure generalisation. A 5x5 level
   * has only about two hundred, few enough to memorise and to leave 15 for evaluation.
   *
   * <p>The horizon was 256 turns on every level, in which a uniformly random walk reaches the goal
   * nine times in ten: sampled episodes "solved" 0.8-0.96 from the start, the reward told a
   * directed walk from a random one only by its length, and greedy decoding, which cannot wander
   * out of a loop, stayed at 0.06 pass@1 on held-out layouts after ten minutes (seed 1). With four
   * turns per shortest move a random walk succeeds one time in eleven, a loop is cut off within a
   * few dozen turns, and episodes are about six times shorter: greedy validation pass@1 passed 0.5
   * after 3 to 4 minutes on one core, test pass@1 was 0.69, 0.94 and 1.00 after 5, 8 and 15 minutes
   * (seeds 3, 2, 1; docs/results.md). A greedy episode is deterministic, so passing within the
   * shorter horizon implies passing within the longer one: the test only became stricter.
   */
  public static GridworldSuite small() {
    return new GridworldSuite("gridworld", 6, 1, GridHorizon.perShortestMove(4, 256));
  }

  /** Each split's first {@link #EVALUATION_LEVELS} distinct levels, by seed, in one scan. */
  private void scanSplits() {
    Map<Split, List<Task>> found = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      found.put(s, new ArrayList<>());
    }
    Set<GridLevel> seen = new HashSet<>();
    int full = 0;
    for (long seed = 0; seed < EVALUATION_SCAN && full < found.size(); seed++) {
      GridTask t = task(seed);
      List<Task> into = found.get(splitOf(t.level()));
      if (into.size() < EVALUATION_LEVELS && seen.add(t.level())) {
        into.add(t);
        full += into.size() == EVALUATION_LEVELS ? 1 : 0;
      }
    }
    found.forEach((s, tasks) -> splits.put(s, new SplitTasks(s, tasks)));
  }

  /** The split of the level's layout; every start cell of a layout shares it. */
  public static Split splitOf(GridLevel level) {
    int bucket = new SplittableRandom(level.layoutHashCode() ^ SPLIT_SALT).nextInt(HELD_OUT_ONE_IN);
    return bucket == 0 ? Split.VALIDATION : bucket == 1 ? Split.TEST : Split.TRAIN;
  }

  /** The level of this suite's size and pairs built from {@code seed}. */
  public GridTask task(long seed) {
    if (seed < 0) {
      throw new UnknownTaskException(name, GridTask.id(size, seed));
    }
    GridLevel level = GridLevelGenerator.generate(size, pairs, seed);
    GridObserver observer = new GridObserver(new GridDynamics(level), alphabet);
    return new GridTask(size, seed, level, observer.prompt());
  }

  public int size() {
    return size;
  }

  public int pairs() {
    return pairs;
  }

  /** Characters (tokens of a character tokenizer) in every observation. */
  public int observationTokens() {
    return GridObserver.observationLength(pairs);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> alphabet() {
    return alphabet.symbols();
  }

  @Override
  public int maxPromptTokens() {
    return GridObserver.promptLength(size) + 1;
  }

  @Override
  public int maxCompletionTokens() {
    return 1;
  }

  /** The most turns an episode on any level may take; a level's own may be fewer. */
  @Override
  public int horizon() {
    return horizon.cap();
  }

  /** The turns an episode on this task's level may take. */
  public int horizon(Task task) {
    return horizon.of(levelOf(task));
  }

  /**
   * Only the four moves, {@code N S W E}: the policy never spends a turn on a symbol that ends the
   * episode.
   */
  @Override
  public List<String> actions() {
    return GridAlphabet.moves();
  }

  @Override
  public TaskGenerator generator(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return () -> {
      while (true) {
        GridTask t = task(random.nextInt(Integer.MAX_VALUE));
        if (splitOf(t.level()) == Split.TRAIN) {
          return t;
        }
      }
    };
  }

  /** For {@code TRAIN}, a sample: the first {@value #EVALUATION_LEVELS} training levels by seed. */
  @Override
  public SplitTasks split(Split split) {
    return splits.get(split);
  }

  @Override
  public String splitRule() {
    return "whole layouts (walls, keys, doors, goal) with all their start cells, by a hash of the"
        + " layout: about one in ten validation, one in ten test, the rest training; validation "
        + splits.get(Split.VALIDATION).tasks().size()
        + " levels, test "
        + splits.get(Split.TEST).tasks().size()
        + " levels";
  }

  /** Resolves {@code g<size>-<seed>}; the size must be this suite's. */
  @Override
  public Task lookup(String taskId) {
    String prefix = "g" + size + "-";
    if (!taskId.startsWith(prefix)) {
      throw new UnknownTaskException(name, taskId);
    }
    String digits = taskId.substring(prefix.length());
    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
      throw new UnknownTaskException(name, taskId);
    }
    long seed;
    try {
      seed = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new UnknownTaskException(name, taskId);
    }
    // One id per level: "g5-007" would name the level of "g5-7" under a second name.
    if (!GridTask.id(size, seed).equals(taskId)) {
      throw new UnknownTaskException(name, taskId);
    }
    return task(seed);
  }

  @Override
  public Environment newEnvironment(Task task) {
    GridLevel level = levelOf(task);
    return new GridEnvironment(level, alphabet, horizon.of(level));
  }

  /** A shortest action log, one move symbol per turn. */
  @Override
  public Optional<String> demonstration(Task task) {
    return GridSolver.solve(levelOf(task))
        .map(path -> path.stream().map(m -> String.valueOf(m.symbol())).collect(joining()));
  }

  /** Reads {@code {"id": "g5-42"}} or {@code {"size": 5, "seed": 42}}. */
  @Override
  public Task taskFromRecord(Map<String, Object> record) {
    try {
      if (record.get("size") instanceof Number s && record.get("seed") instanceof Number seed) {
        if (s.intValue() != size) {
          throw new MalformedTaskException(
              name + " has levels of size " + size + ", not " + s.intValue());
        }
        return task(seed.longValue());
      }
      if (record.get("id") instanceof String id) {
        return lookup(id);
      }
    } catch (UnknownTaskException e) {
      throw new MalformedTaskException(e.getMessage());
    }
    throw new MalformedTaskException(
        name
            + " task records need integer fields \"size\" and \"seed\" (or an \"id\" like \"g"
            + size
            + "-42\")");
  }

  @Override
  public CheckPlan plan(Task task, String completion) {
    GridLevel level = levelOf(task);
    return new CheckPlan.Judged(GridReplay.check(level, horizon.of(level), completion));
  }

  private GridLevel levelOf(Task task) {
    if (!(task instanceof GridTask t) || t.size() != size || t.level().pairs() > pairs) {
      throw new IllegalArgumentException(name + " cannot handle task " + task.id());
    }
    return t.level();
  }
}
