package verity.rollout.lease;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.rollout.lease.LeaseEvent.ClaimFloorRaised;
import verity.rollout.lease.LeaseEvent.ExpiryCause;
import verity.rollout.lease.LeaseEvent.LeasesClaimed;
import verity.rollout.lease.LeaseEvent.LeasesExpired;
import verity.rollout.lease.LeaseEvent.LeasesIssued;
import verity.rollout.lease.LeaseEvent.LeasesReopened;
import verity.rollout.lease.LeaseEvent.LeasesSettled;
import verity.rollout.lease.LeaseEvent.PauseChanged;

/**
 * The task source's ledger of leases, rebuilt from its journal: the next lease id, how many tasks
 * the generator has produced, the open leases (each with its task) in lease order, which of them a
 * learner epoch claimed, the oldest epoch whose claims are still accepted, the tasks waiting to be
 * leased again, the leases whose reopen is journaled, and whether rollouts are paused.
 *
 * <p>{@link #apply} is the only way it changes. The other public methods decide, from the book as
 * it is, what a request journals ({@link LeaseProtocol} states the rules they follow): nothing for
 * a request already acted on, so that a repeat is confirmed without being journaled twice. Not
 * thread-safe: it is the state of one actor.
 */
public final class LeaseBook {
  private LeaseId nextLease = new LeaseId(1);
  private long drawn;
  private final LinkedHashMap<LeaseId, TaskId> open = new LinkedHashMap<>();
  private final Map<LeaseId, Long> claims = new HashMap<>();
  private long claimFloor = Long.MIN_VALUE;
  private final ArrayDeque<TaskId> reissue = new ArrayDeque<>();
  private final Set<LeaseId> reopened = new HashSet<>();
  private boolean paused;

  /** The id the next lease gets. */
  public LeaseId nextLease() {
    return nextLease;
  }

  /** How many tasks the generator has produced. */
  public long drawn() {
    return drawn;
  }

  /** How many leases are open. */
  public int openLeases() {
    return open.size();
  }

  /** The open leases, in lease order. */
  public List<LeaseId> openLeaseIds() {
    return List.copyOf(open.keySet());
  }

  public boolean isOpen(LeaseId lease) {
    return open.containsKey(lease);
  }

  /** The epoch that claimed an open lease, or empty. */
  public Optional<Long> claimOf(LeaseId lease) {
    return Optional.ofNullable(claims.get(lease));
  }

  /** The open leases no epoch claimed, in lease order. */
  public List<LeaseId> unclaimedLeaseIds() {
    return open.keySet().stream().filter(id -> !claims.containsKey(id)).toList();
  }

  /** Claims of epochs below this one are refused. */
  public long claimFloor() {
    return claimFloor;
  }

  /** The task of an open lease, or empty. */
  public Optional<TaskId> taskOf(LeaseId lease) {
    return Optional.ofNullable(open.get(lease));
  }

  /** The tasks waiting to be leased again, front first. */
  public List<TaskId> reissueQueue() {
    return List.copyOf(reissue);
  }

  public boolean isReopened(LeaseId lease) {
    return reopened.contains(lease);
  }

  public boolean paused() {
    return paused;
  }

  // --- decisions: which event a request journals ---------------------------------------------

  /**
   * The answer to a claim of {@code leases} by {@code epoch}, and the event that journals the new
   * claims (empty if there are none).
   */
  public record ClaimDecision(
      List<LeaseId> granted, List<LeaseId> refused, Optional<LeasesClaimed> event) {}

  /**
   * Grants the claim of each of {@code leases} that is open and unclaimed (a new claim, journaled)
   * or claimed by {@code epoch} already (a repeat); refuses the others (closed, never leased, or
   * claimed by another epoch), and all of them when {@code epoch} is below the claim floor.
   */
  public ClaimDecision claim(Collection<LeaseId> leases, long epoch) {
    List<LeaseId> granted = new ArrayList<>();
    List<LeaseId> refused = new ArrayList<>();
    List<LeaseId> claimed = new ArrayList<>();
    for (LeaseId id : new LinkedHashSet<>(leases)) {
      Long holder = claims.get(id);
      if (epoch < claimFloor || !open.containsKey(id) || holder != null && holder != epoch) {
        refused.add(id);
      } else {
        granted.add(id);
        if (holder == null) {
          claimed.add(id);
        }
      }
    }
    return new ClaimDecision(
        granted,
        refused,
        claimed.isEmpty() ? Optional.empty() : Optional.of(new LeasesClaimed(claimed, epoch)));
  }

  /**
   * Releases the claims of the epochs below {@code epoch}: the leases they hold expire (their tasks
   * are leased again) and their claims are refused from then on. Nothing if claims of {@code epoch}
   * or a later epoch were released before (a repeat).
   */
  public List<LeaseEvent> releaseClaims(long epoch) {
    if (epoch <= claimFloor) {
      return List.of();
    }
    List<LeaseId> released =
        open.keySet().stream()
            .filter(id -> claims.containsKey(id) && claims.get(id) < epoch)
            .toList();
    List<LeaseEvent> events = new ArrayList<>();
    if (!released.isEmpty()) {
      events.add(new LeasesExpired(released, ExpiryCause.CLAIM_RELEASED));
    }
    events.add(new ClaimFloorRaised(epoch));
    return events;
  }

  /** The settlement of those of {@code leases} that are open (claimed or not); empty if none is. */
  public Optional<LeasesSettled> settle(Collection<LeaseId> leases, Settlement settlement) {
    List<LeaseId> closing = openAmong(leases);
    return closing.isEmpty()
        ? Optional.empty()
        : Optional.of(new LeasesSettled(closing, settlement));
  }

  /**
   * The expiry of those of {@code leases} that are open and unclaimed (a claimed lease expires only
   * when its epoch's claims are released); empty if none is.
   */
  public Optional<LeasesExpired> expire(Collection<LeaseId> leases, ExpiryCause cause) {
    if (cause == ExpiryCause.CLAIM_RELEASED) {
      throw new IllegalArgumentException("claims are released by releaseClaims");
    }
    List<LeaseId> closing =
        openAmong(leases).stream().filter(id -> !claims.containsKey(id)).toList();
    return closing.isEmpty() ? Optional.empty() : Optional.of(new LeasesExpired(closing, cause));
  }

  /**
   * The reopen of those of {@code leases} not reopened before ({@code tasks.get(i)} is the task of
   * {@code leases.get(i)}), whether they are open, claimed or closed; empty if every one was.
   */
  public Optional<LeasesReopened> reopen(List<LeaseId> leases, List<TaskId> tasks) {
    List<LeaseId> ids = new ArrayList<>();
    List<TaskId> requeued = new ArrayList<>();
    Set<LeaseId> seen = new HashSet<>();
    for (int i = 0; i < leases.size(); i++) {
      LeaseId id = leases.get(i);
      if (!reopened.contains(id) && seen.add(id)) {
        ids.add(id);
        requeued.add(tasks.get(i));
      }
    }
    return ids.isEmpty() ? Optional.empty() : Optional.of(new LeasesReopened(ids, requeued));
  }

  private List<LeaseId> openAmong(Collection<LeaseId> leases) {
    return new LinkedHashSet<>(leases).stream().filter(open::containsKey).toList();
  }

  // --- events --------------------------------------------------------------------------------

  /** Applies one journaled event; returns this book. */
  public LeaseBook apply(LeaseEvent event) {
    if (event instanceof LeasesIssued e) {
      for (int i = 0; i < e.reissued(); i++) {
        reissue.poll();
      }
      for (int i = 0; i < e.tasks().size(); i++) {
        open.put(e.lease(i), e.tasks().get(i));
      }
      drawn += e.fresh();
      long after = e.first().value() + e.tasks().size();
      if (after > nextLease.value()) {
        nextLease = new LeaseId(after);
      }
    } else if (event instanceof LeasesClaimed e) {
      for (LeaseId id : e.leases()) {
        if (open.containsKey(id)) {
          claims.put(id, e.epoch());
        }
      }
    } else if (event instanceof ClaimFloorRaised e) {
      claimFloor = Math.max(claimFloor, e.epoch());
    } else if (event instanceof LeasesSettled e) {
      e.leases().forEach(this::close);
    } else if (event instanceof LeasesExpired e) {
      List<TaskId> requeued = new ArrayList<>();
      for (LeaseId id : e.leases()) {
        TaskId task = close(id);
        if (task != null) {
          requeued.add(task);
        }
      }
      if (e.cause() == ExpiryCause.RETURNED_BY_WORKER) {
        for (int i = requeued.size() - 1; i >= 0; i--) {
          reissue.addFirst(requeued.get(i));
        }
      } else {
        reissue.addAll(requeued);
      }
    } else if (event instanceof LeasesReopened e) {
      for (int i = 0; i < e.leases().size(); i++) {
        reopened.add(e.leases().get(i));
        close(e.leases().get(i));
        reissue.add(e.tasks().get(i));
      }
    } else if (event instanceof PauseChanged e) {
      paused = e.paused();
    } else {
      throw new IllegalArgumentException("unknown lease event " + event);
    }
    return this;
  }

  /** Closes a lease; its task if it was open, else null. */
  private TaskId close(LeaseId id) {
    claims.remove(id);
    return open.remove(id);
  }

  /**
   * The open leases and the reissue queue as they will be once {@code pending} (events decided but
   * not yet journaled, none of them a {@link LeasesIssued}) is applied, without applying it: what
   * the allocator leases from in the same journal write.
   */
  public Outlook after(List<LeaseEvent> pending) {
    Set<LeaseId> closed = new HashSet<>();
    List<TaskId> front = new ArrayList<>();
    List<TaskId> back = new ArrayList<>();
    for (LeaseEvent event : pending) {
      if (event instanceof LeasesSettled e) {
        e.leases().forEach(id -> closes(id, closed));
      } else if (event instanceof LeasesExpired e) {
        List<TaskId> requeued = new ArrayList<>();
        for (LeaseId id : e.leases()) {
          if (closes(id, closed)) {
            requeued.add(open.get(id));
          }
        }
        if (e.cause() == ExpiryCause.RETURNED_BY_WORKER) {
          front.addAll(0, requeued);
        } else {
          back.addAll(requeued);
        }
      } else if (event instanceof LeasesReopened e) {
        e.leases().forEach(id -> closes(id, closed));
        back.addAll(e.tasks());
      } else if (event instanceof LeasesIssued) {
        throw new IllegalArgumentException("the allocator issues leases after pending events");
      }
    }
    return new Outlook(open.size() - closed.size(), front, reissue, back);
  }

  private boolean closes(LeaseId id, Set<LeaseId> closed) {
    return open.containsKey(id) && closed.add(id);
  }

  /**
   * The open leases and the reissue queue after some pending events; see {@link #after}. It reads
   * the book lazily, so it holds only until the book changes.
   */
  public static final class Outlook {
    private final int openLeases;
    private final List<TaskId> front;
    private final Collection<TaskId> queued;
    private final List<TaskId> back;

    private Outlook(
        int openLeases, List<TaskId> front, Collection<TaskId> queued, List<TaskId> back) {
      this.openLeases = openLeases;
      this.front = front;
      this.queued = queued;
      this.back = back;
    }

    public int openLeases() {
      return openLeases;
    }

    /** The reissue queue, front first (read lazily: only as far as the allocator needs). */
    public Iterator<TaskId> reissueQueue() {
      return Stream.of(front, queued, back).flatMap(Collection::stream).iterator();
    }
  }

  // --- snapshots -----------------------------------------------------------------------------

  /** An immutable copy of every field. */
  public LeaseBookSnapshot toSnapshot() {
    List<LeaseBookSnapshot.OpenLease> leases = new ArrayList<>(open.size());
    for (Map.Entry<LeaseId, TaskId> e : open.entrySet()) {
      leases.add(new LeaseBookSnapshot.OpenLease(e.getKey(), e.getValue()));
    }
    List<LeaseBookSnapshot.LeaseClaim> claimed = new ArrayList<>(claims.size());
    for (LeaseId id : open.keySet()) {
      if (claims.containsKey(id)) {
        claimed.add(new LeaseBookSnapshot.LeaseClaim(id, claims.get(id)));
      }
    }
    return new LeaseBookSnapshot(
        nextLease,
        drawn,
        leases,
        claimed,
        claimFloor,
        List.copyOf(reissue),
        reopened.stream().sorted(LeaseBook::byValue).toList(),
        paused);
  }

  /** The book a snapshot was taken of. */
  public static LeaseBook fromSnapshot(LeaseBookSnapshot s) {
    LeaseBook book = new LeaseBook();
    book.nextLease = s.nextLease();
    book.drawn = s.drawn();
    for (LeaseBookSnapshot.OpenLease l : s.open()) {
      book.open.put(l.lease(), l.task());
    }
    for (LeaseBookSnapshot.LeaseClaim c : s.claims()) {
      book.claims.put(c.lease(), c.epoch());
    }
    book.claimFloor = s.claimFloor();
    book.reissue.addAll(s.reissue());
    book.reopened.addAll(s.reopened());
    book.paused = s.paused();
    return book;
  }

  private static int byValue(LeaseId a, LeaseId b) {
    return Long.compare(a.value(), b.value());
  }
}
