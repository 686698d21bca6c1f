package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.Segment;
import verity.actors.protocol.Trajectory;
import verity.envs.Task;
import verity.envs.arith.ArithmeticSuite;
import verity.policy.Episodes;

/** A batch's episodes are laid out task by task, seeded by lease, and assembled back in order. */
class TrajectoryAssemblerTest {
  static final ArithmeticSuite SUITE = ArithmeticSuite.singleDigit();

  @Test
  void shouldSeedEachSampleOfEachLeaseByTheLeaseAndTheSample() {
    // The formula runs before this class existed used; changing it changes every seeded run.
    assertEquals(2 * 1_000_003L + 3, TrajectoryAssembler.episodeSeed(new LeaseId(2), 3));
    Set<Long> seeds = new HashSet<>();
    for (long lease = 1; lease <= 50; lease++) {
      for (int j = 0; j < 16; j++) {
        seeds.add(TrajectoryAssembler.episodeSeed(new LeaseId(lease), j));
      }
    }
    assertEquals(50 * 16, seeds.size(), "every sample of every lease has its own seed");
  }

  @Test
  void shouldRunEachLeasedTaskGroupSizeTimesInARow() {
    List<TaskRequests.Lease> leases = List.of(lease(7, "3+4"), lease(9, "1+1"));
    TrajectoryAssembler.EpisodeRows e = new TrajectoryAssembler(SUITE, 3, "w").episodes(leases);

    assertEquals(6, e.tasks().size());
    for (int j = 0; j < 3; j++) {
      assertEquals("3+4", e.tasks().get(j).id());
      assertEquals("1+1", e.tasks().get(3 + j).id());
    }
    assertArrayEquals(
        new long[] {
          TrajectoryAssembler.episodeSeed(new LeaseId(7), 0),
          TrajectoryAssembler.episodeSeed(new LeaseId(7), 1),
          TrajectoryAssembler.episodeSeed(new LeaseId(7), 2),
          TrajectoryAssembler.episodeSeed(new LeaseId(9), 0),
          TrajectoryAssembler.episodeSeed(new LeaseId(9), 1),
          TrajectoryAssembler.episodeSeed(new LeaseId(9), 2)
        },
        e.seeds());
  }

  @Test
  void shouldLayOutTasksWithoutLeasesAsTheWorkerDoes() {
    Task a = SUITE.lookup("3+4");
    Task b = SUITE.lookup("1+1");
    TrajectoryAssembler.EpisodeRows plain =
        TrajectoryAssembler.episodes(List.of(a, b), List.of(new LeaseId(7), new LeaseId(9)), 2);
    TrajectoryAssembler.EpisodeRows leased =
        new TrajectoryAssembler(SUITE, 2, "w").episodes(List.of(lease(7, "3+4"), lease(9, "1+1")));
    assertArrayEquals(leased.seeds(), plain.seeds());
    assertEquals(
        leased.tasks().stream().map(Task::id).toList(),
        plain.tasks().stream().map(Task::id).toList());
    assertThrows(
        IllegalArgumentException.class,
        () -> TrajectoryAssembler.episodes(List.of(a, b), List.of(new LeaseId(7)), 2));
  }

  @Test
  void shouldTurnEveryEpisodeIntoATrajectoryOfItsLeaseAndSample() {
    List<TaskRequests.Lease> leases = List.of(lease(7, "3+4"), lease(9, "1+1"));
    TrajectoryAssembler assembler = new TrajectoryAssembler(SUITE, 2, "node:rollout-0");
    TrajectoryAssembler.EpisodeRows e = assembler.episodes(leases);
    List<EpisodeRunner.Result> results = new ArrayList<>();
    for (int row = 0; row < 4; row++) {
      results.add(result(row));
    }

    List<Trajectory> out = assembler.trajectories(leases, e, results);

    assertEquals(4, out.size());
    long[][] expected = {{7, 0}, {7, 1}, {9, 0}, {9, 1}};
    for (int row = 0; row < 4; row++) {
      Trajectory t = out.get(row);
      assertEquals(new TrajectoryId(new LeaseId(expected[row][0]), (int) expected[row][1]), t.id());
      assertEquals(row < 2 ? "3+4" : "1+1", t.task().value());
      assertEquals("arith", t.suite());
      assertEquals(2, t.groupSize());
      assertEquals("node:rollout-0", t.worker());
      assertArrayEquals(results.get(row).prompt(), t.prompt());
      assertArrayEquals(results.get(row).episode().tokens(), t.tokens());
      assertEquals(results.get(row).completion(), t.completion());
      assertEquals(results.get(row).segments(), t.segments());
    }
    // Row r sampled r + 1 tokens: 1 + 2 + 3 + 4.
    assertEquals(10, TrajectoryAssembler.sampledTokens(results));
  }

  @Test
  void shouldRefuseEpisodesThatDoNotMatchTheLeases() {
    List<TaskRequests.Lease> leases = List.of(lease(7, "3+4"));
    TrajectoryAssembler assembler = new TrajectoryAssembler(SUITE, 2, "w");
    TrajectoryAssembler.EpisodeRows e = assembler.episodes(leases);
    assertThrows(
        IllegalArgumentException.class,
        () -> assembler.trajectories(leases, e, List.of(result(0))));
    assertNotEquals(e.seeds()[0], e.seeds()[1]);
  }

  private static TaskRequests.Lease lease(long id, String task) {
    return new TaskRequests.Lease(new LeaseId(id), new TaskId(task), 2);
  }

  /** An episode of {@code row + 1} sampled tokens after one observed token. */
  private static EpisodeRunner.Result result(int row) {
    int n = row + 2;
    int[] tokens = new int[n];
    boolean[] sampled = new boolean[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = 3 + row;
      sampled[i] = i > 0;
    }
    return new EpisodeRunner.Result(
        new int[] {1, 4 + row, 13, 5 + row},
        new Episodes.Episode(tokens, sampled, new float[n]),
        "answer " + row,
        List.of(new Segment(0, n, PolicyVersion.of(1))));
  }
}
