package verity.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Verdict;

class ConsoleModelTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ConsoleMetrics metrics = new ConsoleMetrics();
  private final ConsoleModel model = new ConsoleModel(metrics, now::get);

  private static TrainingEvent.ActorStatus worker(long processed, long version) {
    return worker(processed, version < 0 ? null : PolicyVersion.of(version), 0);
  }

  private static TrainingEvent.ActorStatus worker(
      long processed, PolicyVersion version, int restarts) {
    return new TrainingEvent.ActorStatus(
        "n1:rollout-0",
        "rollout-worker",
        "n1",
        "generating",
        0,
        16,
        processed,
        20,
        50,
        version == null ? -1 : version.value(),
        version == null ? -1 : version.epoch(),
        0,
        restarts);
  }

  private static TrainingEvent.StepCompleted step(long step) {
    StepMetrics m =
        new StepMetrics(
            0.5,
            0.5,
            0.1,
            0.01,
            2.0,
            1.0,
            0.1,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            1,
            1.0,
            2,
            new long[] {1},
            64,
            256,
            0,
            80);
    return new TrainingEvent.StepCompleted(step, PolicyVersion.of(step), m, 64 * step, 0, 0, -1);
  }

  private void advanceSeconds(double s) {
    now.addAndGet((long) (s * 1e9));
  }

  @Test
  void throughputIsTheCounterRateAndStalenessIsVersionsBehindTheLearner() {
    model.apply(worker(100, 5));
    advanceSeconds(2);
    model.apply(worker(300, 5));
    model.apply(step(8));
    JsonNode a = model.actors().get("actors").get(0);
    assertEquals(100.0, a.get("throughputPerSecond").asDouble(), 1e-9);
    assertEquals(300, a.get("processed").asLong());
    assertEquals(3, a.get("staleness").asLong());
    assertEquals("rollout", a.get("role").asText());
    assertTrue(metrics.scrape().contains("verity_actor_processed_total{actor=\"n1:rollout-0\""));
  }

  @Test
  void stalenessIsOnlyComparedWithinTheLearnersEpochAndRestartsAreShown() {
    model.apply(
        new TrainingEvent.StepCompleted(
            9, new PolicyVersion(1, 9), step(9).metrics(), 64 * 9, 0, 0, 6));
    model.apply(worker(10, PolicyVersion.of(8), 0)); // epoch 0: an ancestor or not, unknown here
    JsonNode a = model.actors().get("actors").get(0);
    assertTrue(a.get("staleness") == null || a.get("staleness").isNull(), a.toString());
    assertEquals(0, a.get("policyEpoch").asLong());
    model.apply(worker(20, new PolicyVersion(1, 7), 2));
    a = model.actors().get("actors").get(0);
    assertEquals(2, a.get("staleness").asLong());
    assertEquals(1, a.get("policyEpoch").asLong());
    assertEquals(2, a.get("restarts").asInt());
    assertTrue(metrics.scrape().contains("verity_actor_restarts_total{actor=\"n1:rollout-0\""));
  }

  @Test
  void aResumedLearnerReplacesTheStepsItDiscarded() {
    for (long s = 1; s <= 5; s++) {
      model.apply(step(s));
    }
    long seen = model.training(-1).get("last").asLong();
    model.apply(step(3)); // resumed from the checkpoint of step 2
    JsonNode all = model.training(-1).get("steps");
    assertEquals(3, all.size());
    assertEquals(3, all.get(2).get("step").asLong());
    JsonNode increment = model.training(seen).get("steps");
    assertEquals(1, increment.size(), "only the new point is sent to a page that has the rest");
    assertEquals(3, increment.get(0).get("step").asLong());
  }

  @Test
  void trajectoriesAreFilteredBySuiteVerdictAndVersion() {
    model.apply(sample("1/0", "arith", "correct", new long[] {4}));
    model.apply(sample("2/0", "arith", "wrong", new long[] {4, 5}));
    model.apply(sample("3/0", "math", "wrong", new long[] {6}));
    assertEquals(
        3,
        model
            .trajectories(Optional.empty(), Optional.empty(), Optional.empty(), 10)
            .get("trajectories")
            .size());
    JsonNode wrongArith =
        model
            .trajectories(Optional.of("arith"), Optional.of("wrong"), Optional.empty(), 10)
            .get("trajectories");
    assertEquals(1, wrongArith.size());
    assertEquals("2/0", wrongArith.get(0).get("id").asText());
    JsonNode v5 =
        model
            .trajectories(Optional.empty(), Optional.empty(), Optional.of(5L), 10)
            .get("trajectories");
    assertEquals(List.of("2/0"), List.of(v5.get(0).get("id").asText()));
    assertEquals(
        "3/0",
        model
            .trajectories(Optional.empty(), Optional.empty(), Optional.empty(), 1)
            .get("trajectories")
            .get(0)
            .get("id")
            .asText(),
        "newest first");
  }

  @Test
  void verifiersAreSummedPerSuiteWithTheWorstBreaker() {
    long[] a = new long[Verdict.Reason.values().length];
    a[Verdict.Reason.CORRECT.ordinal()] = 7;
    a[Verdict.Reason.TIMEOUT.ordinal()] = 2;
    model.apply(
        new TrainingEvent.VerifierReport("r1:verifier-math", "math", 9, a, 1, 5, 3, "closed", 0));
    model.apply(
        new TrainingEvent.VerifierReport("r2:verifier-math", "math", 9, a, 2, 9, 1, "open", 4));
    JsonNode suite = model.verifiers().get("suites").get(0);
    assertEquals(18, suite.get("scored").asLong());
    assertEquals(14, suite.get("verdicts").get("correct").asLong());
    assertEquals(4, suite.get("timeouts").asLong());
    assertEquals("open", suite.get("breaker").asText());
    assertEquals(9.0, suite.get("p99Millis").asDouble());
    assertEquals("r2", model.verifiers().get("verifiers").get(1).get("node").asText());
  }

  @Test
  void pauseStateFollowsTheTaskSource() {
    assertEquals("unknown", model.rollouts().get("state").asText());
    model.apply(
        new TrainingEvent.ActorStatus(
            "l:task-source", "task-source", "l", "paused", 3, 0, 10, 0, 0, -1, -1, 0, 0));
    assertTrue(model.rollouts().get("paused").asBoolean());
    model.apply(
        new TrainingEvent.ActorStatus(
            "l:task-source", "task-source", "l", "leasing", 0, 8, 18, 0, 0, -1, -1, 0, 0));
    assertEquals("running", model.rollouts().get("state").asText());
  }

  @Test
  void actorsGoneForLongAreForgottenWithTheirSeries() {
    model.apply(worker(1, 1));
    model.members(List.of(), "self", "self");
    assertEquals(1, model.actors().get("actors").size());
    advanceSeconds(ConsoleModel.FORGET_AFTER_NANOS / 1e9 + 1);
    model.members(List.of(), "self", "self");
    assertEquals(0, model.actors().get("actors").size());
    assertFalse(metrics.scrape().contains("n1:rollout-0"));
  }

  private static TrainingEvent.TrajectorySample sample(
      String id, String suite, String verdict, long[] versions) {
    return new TrainingEvent.TrajectorySample(
        id,
        suite,
        "t",
        verdict,
        verdict.equals("correct") ? 1 : 0,
        "",
        "1+1=",
        "2",
        versions,
        "w",
        "v",
        0.1,
        2);
  }
}
