package verity.learner.settle;

import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;

/**
 * What the learner owes the task source and has not had confirmed: claims, settlements, reopens and
 * the release of earlier epochs' claims (see {@link LeaseProtocol}). Each is sent once when owed,
 * again when unanswered for {@code resendAfter}, and again at once when the task source's location
 * changes, until its answer arrives; answers to repeats are taken once. A release is held back
 * until every settlement and reopen owed before it is confirmed, so the task source never releases
 * a claim that a settlement still on its way would have closed. Pure: the actor sends what {@link
 * #due} returns and feeds it the answers. Not thread-safe.
 */
public final class SettlementOutbox {

  /** The answer to claims: which pending leases were granted and which refused. */
  public record ClaimResult(List<LeaseId> granted, List<LeaseId> refused) {}

  private abstract static class Owed {
    long sentNanos;
    boolean sent;

    abstract LeaseProtocol.Command message();
  }

  private final class OwedClaim extends Owed {
    final long epoch;
    final Set<LeaseId> pending;

    OwedClaim(List<LeaseId> leases, long epoch) {
      this.epoch = epoch;
      this.pending = new java.util.LinkedHashSet<>(leases);
    }

    @Override
    LeaseProtocol.Command message() {
      return new LeaseProtocol.ClaimLeases(List.copyOf(pending), epoch, claimReplies);
    }
  }

  private final class OwedSettlement extends Owed {
    final List<LeaseId> leases;
    final Settlement how;
    final PolicyVersion step;

    OwedSettlement(List<LeaseId> leases, Settlement how, PolicyVersion step) {
      this.leases = List.copyOf(leases);
      this.how = how;
      this.step = step;
    }

    @Override
    LeaseProtocol.Command message() {
      return new LeaseProtocol.SettleLeases(leases, how, settlementReplies);
    }
  }

  private final class OwedReopen extends Owed {
    final Map<LeaseId, TaskId> leases;

    OwedReopen(Map<LeaseId, TaskId> leases) {
      this.leases = new LinkedHashMap<>(leases);
    }

    @Override
    LeaseProtocol.Command message() {
      return new LeaseProtocol.ReopenLeases(
          List.copyOf(leases.keySet()), List.copyOf(leases.values()), reopenReplies);
    }
  }

  private final class OwedRelease extends Owed {
    final long epoch;

    OwedRelease(long epoch) {
      this.epoch = epoch;
    }

    @Override
    LeaseProtocol.Command message() {
      return new LeaseProtocol.ReleaseClaims(epoch, releaseReplies);
    }
  }

  private final ActorRef<LeaseProtocol.ClaimAnswer> claimReplies;
  private final ActorRef<LeaseProtocol.SettlementConfirmed> settlementReplies;
  private final ActorRef<LeaseProtocol.ReopenConfirmed> reopenReplies;
  private final ActorRef<LeaseProtocol.ClaimsReleased> releaseReplies;
  private final long resendAfterNanos;

  /** Everything owed, in the order it became owed. */
  private final List<Owed> owed = new ArrayList<>();

  public SettlementOutbox(
      ActorRef<LeaseProtocol.ClaimAnswer> claimReplies,
      ActorRef<LeaseProtocol.SettlementConfirmed> settlementReplies,
      ActorRef<LeaseProtocol.ReopenConfirmed> reopenReplies,
      ActorRef<LeaseProtocol.ClaimsReleased> releaseReplies,
      Duration resendAfter) {
    this.claimReplies = claimReplies;
    this.settlementReplies = settlementReplies;
    this.reopenReplies = reopenReplies;
    this.releaseReplies = releaseReplies;
    this.resendAfterNanos = resendAfter.toNanos();
  }

  /** The learner of {@code epoch} wants to train these leases. */
  public void claim(List<LeaseId> leases, long epoch) {
    if (!leases.isEmpty()) {
      owed.add(new OwedClaim(leases, epoch));
    }
  }

  /**
   * These leases are finished with; {@code step} is the step that consumed them (for {@link
   * Settlement#CONSUMED}), else null.
   */
  public void settle(List<LeaseId> leases, Settlement how, PolicyVersion step) {
    if (!leases.isEmpty()) {
      owed.add(new OwedSettlement(leases, how, step));
    }
  }

  /** The training on these leases (lease → task) was lost: their tasks go out again. */
  public void reopen(Map<LeaseId, TaskId> leases) {
    if (!leases.isEmpty()) {
      owed.add(new OwedReopen(leases));
    }
  }

  /** The learner resumed in {@code epoch}: earlier epochs' claims are to be released. */
  public void releaseClaims(long epoch) {
    owed.add(new OwedRelease(epoch));
  }

  /**
   * The messages to send now: those never sent, those unanswered for longer than the resend
   * interval, or, when {@code everything}, all that are owed (the task source moved). A release
   * waits for the settlements and reopens owed before it.
   */
  public List<LeaseProtocol.Command> due(long nowNanos, boolean everything) {
    List<LeaseProtocol.Command> out = new ArrayList<>();
    boolean earlierUnconfirmed = false;
    for (Owed o : owed) {
      if (o instanceof OwedRelease && earlierUnconfirmed) {
        continue;
      }
      if (o instanceof OwedSettlement || o instanceof OwedReopen) {
        earlierUnconfirmed = true;
      }
      if (everything || !o.sent || nowNanos - o.sentNanos >= resendAfterNanos) {
        o.sent = true;
        o.sentNanos = nowNanos;
        out.add(o.message());
      }
    }
    return out;
  }

  /** Takes a claim answer; leases not pending any more (the answer to a repeat) are ignored. */
  public ClaimResult onClaimAnswer(LeaseProtocol.ClaimAnswer answer) {
    List<LeaseId> granted = new ArrayList<>();
    List<LeaseId> refused = new ArrayList<>();
    for (Iterator<Owed> it = owed.iterator(); it.hasNext(); ) {
      if (it.next() instanceof OwedClaim c) {
        for (LeaseId l : answer.granted()) {
          if (c.pending.remove(l)) {
            granted.add(l);
          }
        }
        for (LeaseId l : answer.refused()) {
          if (c.pending.remove(l)) {
            refused.add(l);
          }
        }
        if (c.pending.isEmpty()) {
          it.remove();
        }
      }
    }
    return new ClaimResult(granted, refused);
  }

  /**
   * Takes a settlement confirmation.
   *
   * @return the steps whose consumed leases are now all confirmed as settled
   */
  public List<PolicyVersion> onSettlementConfirmed(LeaseProtocol.SettlementConfirmed confirmed) {
    Set<LeaseId> leases = new HashSet<>(confirmed.leases());
    List<PolicyVersion> steps = new ArrayList<>();
    for (Iterator<Owed> it = owed.iterator(); it.hasNext(); ) {
      if (it.next() instanceof OwedSettlement s && leases.containsAll(s.leases)) {
        it.remove();
        if (s.step != null) {
          steps.add(s.step);
        }
      }
    }
    return steps;
  }

  /**
   * Takes a reopen confirmation.
   *
   * @return the leases whose reopen was owed until now
   */
  public List<LeaseId> onReopenConfirmed(LeaseProtocol.ReopenConfirmed confirmed) {
    List<LeaseId> out = new ArrayList<>();
    for (Iterator<Owed> it = owed.iterator(); it.hasNext(); ) {
      if (it.next() instanceof OwedReopen r) {
        for (LeaseId l : confirmed.leases()) {
          if (r.leases.remove(l) != null) {
            out.add(l);
          }
        }
        if (r.leases.isEmpty()) {
          it.remove();
        }
      }
    }
    return out;
  }

  /** Takes the confirmation that earlier epochs' claims are released. */
  public void onClaimsReleased(LeaseProtocol.ClaimsReleased released) {
    owed.removeIf(o -> o instanceof OwedRelease r && r.epoch <= released.epoch());
  }

  /** Messages owed and not confirmed yet. */
  public int owed() {
    return owed.size();
  }

  /** True when reopens are owed (for the log). */
  public boolean reopensOwed() {
    return owed.stream().anyMatch(o -> o instanceof OwedReopen);
  }
}
