package verity.deploy.run;

import ai.djl.engine.Engine;
import com.typesafe.config.Config;
import verity.envs.Suite;
import verity.envs.Suites;
import verity.learner.LearnerSettings;
import verity.learner.grpo.Objective;
import verity.policy.Policy;
import verity.policy.PolicySettings;
import verity.policy.PolicySpec;
import verity.policy.Tokenizer;
import verity.reward.PlanExecutor;
import verity.reward.RewardSettings;
import verity.rollout.RolloutSettings;

/**
 * Everything a node needs to start, read and checked from configuration before any actor exists, so
 * that a bad suite or key fails at once with its name.
 */
public record RunPlan(
    Config config,
    DevSettings dev,
    Suite suite,
    PolicySettings policy,
    PolicySpec spec,
    RolloutSettings rollout,
    RewardSettings reward,
    LearnerSettings learner) {

  /**
   * @throws com.typesafe.config.ConfigException naming a bad key
   * @throws IllegalArgumentException for an unknown suite or a suite that cannot do what is asked
   */
  public static RunPlan from(Config config) {
    DevSettings dev = DevSettings.from(config);
    Suite suite = Suites.byName(dev.suite());
    PolicySettings policy = PolicySettings.from(config);
    Tokenizer tokenizer = policy.tokenizer(suite.alphabet());
    PolicySpec spec =
        policy.spec(
            tokenizer,
            suite.maxPromptTokens(),
            suite.maxCompletionTokens(),
            actionTokens(suite, tokenizer));
    LearnerSettings learner = LearnerSettings.from(config);

    if (learner.warmStart().steps() > 0
        && suite.demonstration(suite.generator(0).next()).isEmpty()) {
      throw new IllegalArgumentException(
          "verity.learner.warm-start.steps: suite '" + suite.name() + "' has no demonstrations");
    }
    RunPlan plan =
        new RunPlan(
            config,
            dev,
            suite,
            policy,
            spec,
            RolloutSettings.from(config),
            RewardSettings.from(config),
            learner);
    dev.export().ifPresent(dir -> PolicyExport.check(plan, dir));
    return plan;
  }

  /**
   * The ids of the suite's actions under this tokenizer, one token each.
   *
   * @throws IllegalArgumentException naming an action the tokenizer does not write as one token
   */
  public static int[] actionTokens(Suite suite, Tokenizer tokenizer) {
    int[] out = new int[suite.actions().size()];
    for (int i = 0; i < out.length; i++) {
      String action = suite.actions().get(i);
      int[] ids = tokenizer.encode(action);
      if (ids.length != 1) {
        throw new IllegalArgumentException(
            "suite '"
                + suite.name()
                + "': its action '"
                + action
                + "' is "
                + ids.length
                + " tokens for this policy's tokenizer; an action must be one token");
      }
      out[i] = ids[0];
    }
    return out;
  }

  /** Builds a replica with these weights' seed; runs on the compute dispatcher. */
  public Policy newReplica(long seed) {
    return policy.newReplica(spec, policy.device().resolve(Engine.getEngine(Policy.ENGINE)), seed);
  }

  /**
   * How this node's verifiers carry out the suite's checks: a sandbox for suites that run programs.
   *
   * @throws verity.reward.ProgramRunner.SandboxUnavailableException when the suite runs programs
   *     and no sandbox starts here
   */
  public PlanExecutor planExecutor() {
    return PlanExecutor.forSuite(suite, config);
  }

  public Objective objective() {
    return learner.rlObjective(policy.temperature());
  }

  /** PyTorch intra-op threads, applied before the engine loads. */
  public int torchThreads() {
    return config.getInt("verity.policy.torch-threads");
  }
}
