package verity.bench.controlplane;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import verity.actors.LocalOnly;
import verity.envs.Suite;
import verity.rollout.RolloutSettings;
import verity.rollout.TaskSource;

/**
 * The guardian of one rung's actor system: once the journal's tables exist ({@link Start}), it
 * spawns the real task source (settings from the system's {@code verity.rollout} config), the
 * learner stand-in with its real training ledger, the simulated verifiers and the simulated
 * workers, which start leasing at once.
 */
public final class Rig {
  private Rig() {}

  /** Spawn the rig; sent once the journal's schema exists. */
  public enum Start implements LocalOnly {
    INSTANCE
  }

  /**
   * @param workers simulated rollout workers
   * @param verifiers simulated verifiers in the suite's pool
   * @param completionTokens the length of each simulated completion
   * @param batchGroups complete groups per learner step
   */
  public record Shape(int workers, int verifiers, int completionTokens, int batchGroups) {}

  public static Behavior<Start> create(Suite suite, Shape shape, Meter meter) {
    return Behaviors.receive(
        (ctx, start) -> {
          RolloutSettings settings = RolloutSettings.from(ctx.getSystem().settings().config());
          var source =
              ctx.spawn(
                  TaskSource.create(
                      settings,
                      suite.generator(ctx.getSystem().settings().config().getLong("verity.seed"))),
                  "task-source");
          ctx.spawn(LearnerStandIn.create(shape.batchGroups(), meter), "learner");
          for (int i = 0; i < shape.verifiers(); i++) {
            ctx.spawn(SimulatedVerifier.create(suite.name(), meter), "verifier-" + i);
          }
          for (int i = 0; i < shape.workers(); i++) {
            ctx.spawn(
                SimulatedWorker.create(
                    "worker-" + i,
                    suite,
                    settings.tasksPerRequest(),
                    shape.completionTokens(),
                    source,
                    meter),
                "worker-" + i);
          }
          return Behaviors.ignore();
        });
  }
}
