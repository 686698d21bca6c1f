package verity.deploy.run;

import java.util.Locale;
import verity.actors.protocol.StepMetrics;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.TrainingEvent.EvaluationCompleted;

/** The lines a run prints as it goes: one per learner step and one per evaluation. */
final class ProgressLines {
  private ProgressLines() {}

  /** A learner step, with the generation rates of the last few seconds and the run's time. */
  static String step(
      TrainingEvent.StepCompleted s,
      double tokensPerSecond,
      double trajectoriesPerSecond,
      double seconds) {
    StepMetrics m = s.metrics();
    return String.format(
        Locale.ROOT,
        "step %5d  %-6s  reward %.3f  solved %.3f  tokens/s %,8.0f  traj/s %,7.0f  staleness %.2f"
            + "  loss %+.4f  entropy %.3f  kl %.4f%s  learner %.0f ms  (%.1f s)",
        s.step(),
        s.version(),
        m.batchReward(),
        m.solvedFraction(),
        tokensPerSecond,
        trajectoriesPerSecond,
        m.meanStaleness(),
        m.loss(),
        m.entropy(),
        m.approxKl(),
        objectiveFigures(m),
        m.stepMillis(),
        seconds);
  }

  /** An evaluation, naming its split (and what it stands in for when the suite holds none out). */
  static String evaluation(EvaluationCompleted ev, double seconds) {
    return String.format(
        Locale.ROOT,
        "eval  %-6s  greedy pass@1 %.3f on %d %s tasks%s  (%.1f s)",
        ev.version(),
        ev.passAt1(),
        ev.tasks(),
        ev.split(),
        ev.split().equals(ev.purpose())
            ? ""
            : " (as " + ev.purpose() + ": the suite holds nothing out)",
        seconds);
  }

  /**
   * The figures only some objectives have, each named by what it measures: the clip fraction of the
   * ratio the objective clips (against the behaviour policy for ppo, the proximal policy for
   * decoupled-ppo), the share of importance weights truncated or dropped, the KL to the reference.
   */
  static String objectiveFigures(StepMetrics m) {
    StringBuilder b = new StringBuilder();
    figure(b, "clip/behaviour %.3f", m.behaviourClipFraction());
    figure(b, "clip/proximal %.3f", m.proximalClipFraction());
    figure(b, "truncated %.3f", m.truncatedFraction());
    figure(b, "dropped %.3f", m.droppedFraction());
    figure(b, "kl/ref %.4f", m.referenceKl());
    if (m.updates() > 1) {
      b.append("  updates ").append(m.updates());
    }
    return b.toString();
  }

  private static void figure(StringBuilder b, String format, double value) {
    if (!Double.isNaN(value)) {
      b.append("  ").append(String.format(Locale.ROOT, format, value));
    }
  }
}
