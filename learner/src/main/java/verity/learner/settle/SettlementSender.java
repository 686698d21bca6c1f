package verity.learner.settle;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verity.actors.LocalOnly;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.learner.ledger.TrainingLedger;

/**
 * The learner's correspondent with the task source: a child of the learner that sends what the
 * learner owes (claims, settlements, reopens, the release of earlier epochs' claims) to every task
 * source the receptionist lists, sends it again until it is confirmed ({@link SettlementOutbox}
 * holds the rules), tells the learner which claims were granted, and journals the confirmed
 * settlements and reopens in the learner's {@link TrainingLedger}, so that a confirmed one is never
 * owed again after a restart.
 */
public final class SettlementSender {
  private SettlementSender() {}

  /** What the learner tells its sender. */
  public sealed interface Command extends LocalOnly {}

  /** Claim these leases for the learner of {@code epoch}. */
  public record Claim(List<LeaseId> leases, long epoch) implements Command {}

  /** Settle these leases; {@code step} is the journaled step that consumed them, else null. */
  public record Settle(List<LeaseId> leases, Settlement how, PolicyVersion step)
      implements Command {}

  /** Reopen these leases (lease → task): their training was lost. */
  public record Reopen(Map<LeaseId, TaskId> leases) implements Command {}

  /** Release the claims of the epochs before {@code epoch}. */
  public record ReleaseEarlierClaims(long epoch) implements Command {}

  /** Told to the learner: the task source granted or refused these claims. */
  public record ClaimsDecided(List<LeaseId> granted, List<LeaseId> refused) implements LocalOnly {}

  private record Targets(Set<ActorRef<LeaseProtocol.Command>> targets) implements Command {}

  private record Answer(Object answer) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** How often owed messages are looked at; one unanswered this long is sent again. */
  public static final Duration TICK = Duration.ofSeconds(1);

  public static final Duration RESEND_AFTER = Duration.ofSeconds(2);

  public static Behavior<Command> create(
      ActorRef<ClaimsDecided> learner, ActorRef<TrainingLedger.Command> ledger) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
                  return new SettlementSender.Running(ctx, learner, ledger).behavior();
                }));
  }

  private static final class Running {
    private final ActorContext<Command> ctx;
    private final ActorRef<ClaimsDecided> learner;
    private final ActorRef<TrainingLedger.Command> ledger;
    private final SettlementOutbox outbox;
    private final Set<ActorRef<LeaseProtocol.Command>> targets = new HashSet<>();
    private final List<PolicyVersion> settledSteps = new ArrayList<>();

    Running(
        ActorContext<Command> ctx,
        ActorRef<ClaimsDecided> learner,
        ActorRef<TrainingLedger.Command> ledger) {
      this.ctx = ctx;
      this.learner = learner;
      this.ledger = ledger;
      this.outbox =
          new SettlementOutbox(
              ctx.messageAdapter(LeaseProtocol.ClaimAnswer.class, Answer::new),
              ctx.messageAdapter(LeaseProtocol.SettlementConfirmed.class, Answer::new),
              ctx.messageAdapter(LeaseProtocol.ReopenConfirmed.class, Answer::new),
              ctx.messageAdapter(LeaseProtocol.ClaimsReleased.class, Answer::new),
              RESEND_AFTER);
      ServiceWatcher.spawn(ctx, ServiceKeys.LEASE_SETTLEMENT, Targets::new);
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Claim.class, c -> owe(() -> outbox.claim(c.leases(), c.epoch())))
          .onMessage(Settle.class, s -> owe(() -> outbox.settle(s.leases(), s.how(), s.step())))
          .onMessage(Reopen.class, r -> owe(() -> outbox.reopen(r.leases())))
          .onMessage(ReleaseEarlierClaims.class, r -> owe(() -> outbox.releaseClaims(r.epoch())))
          .onMessage(Targets.class, this::onTargets)
          .onMessage(Answer.class, this::onAnswer)
          .onMessageEquals(Tick.INSTANCE, this::onTick)
          .build();
    }

    private Behavior<Command> owe(Runnable add) {
      add.run();
      send(false);
      return Behaviors.same();
    }

    private Behavior<Command> onTargets(Targets t) {
      targets.clear();
      targets.addAll(t.targets());
      send(true); // the task source moved (or came back): it may never have had the last ones
      return Behaviors.same();
    }

    private Behavior<Command> onAnswer(Answer a) {
      if (a.answer() instanceof LeaseProtocol.ClaimAnswer claim) {
        SettlementOutbox.ClaimResult r = outbox.onClaimAnswer(claim);
        if (!r.granted().isEmpty() || !r.refused().isEmpty()) {
          learner.tell(new ClaimsDecided(r.granted(), r.refused()));
        }
      } else if (a.answer() instanceof LeaseProtocol.SettlementConfirmed c) {
        settledSteps.addAll(outbox.onSettlementConfirmed(c));
      } else if (a.answer() instanceof LeaseProtocol.ReopenConfirmed c) {
        List<LeaseId> confirmed = outbox.onReopenConfirmed(c);
        if (!confirmed.isEmpty()) {
          ledger.tell(new TrainingLedger.ConfirmReopens(confirmed));
        }
      } else if (a.answer() instanceof LeaseProtocol.ClaimsReleased r) {
        outbox.onClaimsReleased(r);
        ctx.getLog().info("the task source released the claims of the epochs before {}", r.epoch());
      }
      send(false);
      return Behaviors.same();
    }

    /** Resends what is overdue and journals the settlements confirmed since the last tick. */
    private Behavior<Command> onTick() {
      send(false);
      if (!settledSteps.isEmpty()) {
        ledger.tell(new TrainingLedger.ConfirmSettlements(settledSteps));
        settledSteps.clear();
      }
      return Behaviors.same();
    }

    private void send(boolean everything) {
      if (targets.isEmpty()) {
        return; // sent once a task source is known
      }
      for (LeaseProtocol.Command m : outbox.due(System.nanoTime(), everything)) {
        targets.forEach(t -> t.tell(m));
      }
    }
  }
}
