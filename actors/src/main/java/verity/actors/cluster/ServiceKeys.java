package verity.actors.cluster;

import akka.actor.typed.receptionist.ServiceKey;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.PauseProtocol;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.protocol.WeightsProtocol;

/** Receptionist keys under which the roles find each other anywhere in the cluster. */
public final class ServiceKeys {
  private ServiceKeys() {}

  /** The reward verifiers of one suite: workers send each suite's trajectories to its own pool. */
  public static ServiceKey<VerifierProtocol.Command> verifiers(String suite) {
    return ServiceKey.create(VerifierProtocol.Command.class, "verity-verifiers-" + suite);
  }

  public static final ServiceKey<LearnerProtocol.Command> LEARNER =
      ServiceKey.create(LearnerProtocol.Command.class, "verity-learner");

  public static final ServiceKey<WeightsProtocol.Command> POLICY_STORE =
      ServiceKey.create(WeightsProtocol.Command.class, "verity-policy-store");

  public static final ServiceKey<LeaseProtocol.Command> LEASE_SETTLEMENT =
      ServiceKey.create(LeaseProtocol.Command.class, "verity-lease-settlement");

  /** Where an operator pauses and resumes the run's rollouts: the task source. */
  public static final ServiceKey<PauseProtocol.Command> RUN_PAUSE =
      ServiceKey.create(PauseProtocol.Command.class, "verity-run-pause");
}
