package verity.actors.cluster;

import akka.actor.typed.receptionist.ServiceKey;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.protocol.WeightsProtocol;

/** Receptionist keys under which the roles find each other anywhere in the cluster. */
public final class ServiceKeys {
  private ServiceKeys() {}

  public static final ServiceKey<VerifierProtocol.Command> VERIFIERS =
      ServiceKey.create(VerifierProtocol.Command.class, "verity-verifiers");

  public static final ServiceKey<LearnerProtocol.Command> LEARNER =
      ServiceKey.create(LearnerProtocol.Command.class, "verity-learner");

  public static final ServiceKey<WeightsProtocol.Command> POLICY_STORE =
      ServiceKey.create(WeightsProtocol.Command.class, "verity-policy-store");

  public static final ServiceKey<LeaseProtocol.Command> LEASE_SETTLEMENT =
      ServiceKey.create(LeaseProtocol.Command.class, "verity-lease-settlement");
}
