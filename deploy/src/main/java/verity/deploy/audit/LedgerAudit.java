package verity.deploy.audit;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.typed.PersistenceId;
import akka.stream.javadsl.Source;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import verity.actors.ids.LeaseId;
import verity.actors.ids.LeaseSet;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.deploy.run.SystemStop;
import verity.learner.ledger.TrainingLedger;
import verity.rollout.TaskSource;
import verity.rollout.lease.LeaseEvent;

/**
 * Proves from the durable journal what became of every lease of a run: it replays the task source's
 * events and the learner's events, as written, and accounts for each lease the task source handed
 * out. It reads the journal through akka-persistence-jdbc's read journal, so it runs on any node of
 * the run (or after it) against the same database, and it needs every event since the start:
 * neither journal deletes events when it takes a snapshot.
 *
 * <p>Definitions (lease ids are the task source's; a count is of distinct leases):
 *
 * <ul>
 *   <li><b>leased</b>: leases in the task source's {@code LeasesIssued} events.
 *   <li>The learner's events are replayed as its {@code TrainingLedger} replays them: a resume from
 *       the checkpoint of {@code v} discards every step applied after {@code v}, and a discarded
 *       step no longer counts. The remaining steps are the <b>surviving</b> ones; their leases,
 *       counted with multiplicity, are the surviving consumptions.
 *   <li>Each leased lease is accounted for once, by the first of these that holds: <b>consumed</b>
 *       (by a surviving step); <b>reopened</b> (its reopen is in the task source's journal: the
 *       training was lost and its task went back to the reissue queue); <b>rejectedStale</b> or
 *       <b>failed</b> (settled so at the task source); <b>expired</b> (closed while open, its task
 *       went back to the reissue queue: by timeout, at a recovery, returned by a draining worker,
 *       or its claim released; {@link Result#expiredByCause} splits them); <b>openAtEnd</b> (still
 *       open or claimed at the task source: in flight when the run stopped).
 *   <li><b>lost</b>: leased and not accounted for, e.g. settled {@code CONSUMED} at the task source
 *       but in no surviving step and never reopened, so its task was trained on by a step that a
 *       resume discarded and will never be leased again. So {@code leased = consumed + reopened +
 *       rejectedStale + failed + expired + openAtEnd + lost}.
 *   <li><b>duplicates</b>: surviving consumptions beyond the first of a lease, plus leases consumed
 *       by a surviving step whose task was also leased again (expired, returned, released or
 *       reopened): either way, one task trained twice.
 *   <li><b>consumedAfterClose</b>: leases a surviving step consumed without the task source having
 *       granted the learner a claim on them while they were open: trained after the task source had
 *       given up on them (an expired lease whose trajectories were still queued, say).
 *   <li><b>inconsistencies</b>: journal entries that the task source's own rules exclude, each
 *       counted once: a {@code LeasesIssued} event that takes more tasks from the reissue queue
 *       than the queue holds at that point, a lease id leased twice, a claim of a lease that is not
 *       open, and a lease consumed by a surviving step that was never leased.
 * </ul>
 */
public final class LedgerAudit {
  private LedgerAudit() {}

  /** How many lost lease ids a result names, the lowest first. */
  public static final int LOST_SAMPLE = 20;

  /**
   * What the journal says of a run's leases; see {@link LedgerAudit} for the definitions.
   *
   * @param expiredByCause the {@code expired} leases by the cause the task source journaled
   * @param lostSample the lowest lost lease ids, at most {@link #LOST_SAMPLE}
   */
  public record Result(
      long leased,
      long consumed,
      long rejectedStale,
      long failed,
      long expired,
      long reopened,
      long openAtEnd,
      long lost,
      long duplicates,
      long consumedAfterClose,
      long inconsistencies,
      Map<String, Long> expiredByCause,
      List<Long> lostSample) {
    public Result {
      expiredByCause = Map.copyOf(expiredByCause);
      lostSample = List.copyOf(lostSample);
    }

    /** Nothing lost, nothing trained twice or after it closed, and the journal obeys its rules. */
    public boolean exact() {
      return lost == 0 && duplicates == 0 && consumedAfterClose == 0 && inconsistencies == 0;
    }
  }

  /** Audits the run whose journal {@code system} is configured with. */
  public static CompletionStage<Result> run(ActorSystem<?> system) {
    JdbcReadJournal journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    CompletionStage<TaskSourceReplay> source =
        events(journal, TaskSource.PERSISTENCE_ID)
            .runFold(new TaskSourceReplay(), TaskSourceReplay::apply, system);
    CompletionStage<LearnerReplay> learner =
        events(journal, TrainingLedger.PERSISTENCE_ID)
            .runFold(new LearnerReplay(), LearnerReplay::apply, system);
    return source.thenCombine(learner, LedgerAudit::account);
  }

  /**
   * Audits the journal of the run configured in {@code config} from an actor system of its own,
   * with no cluster and no remoting, started and stopped for the purpose: for a process whose
   * cluster node has already stopped (or is stopping), once the run's nodes have let go of the
   * journal.
   */
  public static Result runStandalone(Config config, Duration limit)
      throws ExecutionException, TimeoutException, InterruptedException {
    Config local =
        ConfigFactory.parseString(
                "akka.actor.provider = local\nakka.coordinated-shutdown.run-by-jvm-shutdown-hook ="
                    + " off")
            .withFallback(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ledger-audit", local);
    try {
      return run(system).toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      SystemStop.terminate(
          system, Duration.ofSeconds(60), "ledger audit", new PrintWriter(System.err, true));
    }
  }

  /**
   * Audits these events: the task source's and the learner's, each in journal order. For a journal
   * read some other way, or for a test.
   */
  public static Result of(List<?> taskSourceEvents, List<?> learnerEvents) {
    TaskSourceReplay source = new TaskSourceReplay();
    taskSourceEvents.forEach(source::apply);
    LearnerReplay learner = new LearnerReplay();
    learnerEvents.forEach(learner::apply);
    return account(source, learner);
  }

  private static Source<Object, NotUsed> events(JdbcReadJournal journal, PersistenceId id) {
    return journal
        .currentEventsByPersistenceId(id.id(), 0L, Long.MAX_VALUE)
        .map(EventEnvelope::event);
  }

  private static Result account(TaskSourceReplay source, LearnerReplay learner) {
    Map<Long, Integer> consumptions = learner.survivingConsumptions();
    long inconsistencies = source.inconsistencies;
    long duplicates = 0;
    long consumedAfterClose = 0;
    LeaseSet consumed = new LeaseSet();
    for (Map.Entry<Long, Integer> e : consumptions.entrySet()) {
      LeaseId lease = new LeaseId(e.getKey());
      duplicates += e.getValue() - 1;
      if (!source.leased.contains(lease)) {
        inconsistencies++; // trained on a lease the task source never handed out
        continue;
      }
      consumed.add(lease);
      if (!source.claimed.contains(lease)) {
        consumedAfterClose++;
      }
      if (source.requeued.contains(lease)) {
        duplicates++; // trained, and its task went out again
      }
    }
    LeaseSet rest = source.leased.copy();
    long consumedCount = take(rest, consumed);
    long reopened = take(rest, source.reopened);
    long rejectedStale = take(rest, source.rejectedStale);
    long failed = take(rest, source.failed);
    long expired = take(rest, source.expired);
    long openAtEnd = take(rest, source.open);
    List<Long> lostSample = new ArrayList<>();
    rest.forEach(
        id -> {
          if (lostSample.size() < LOST_SAMPLE) {
            lostSample.add(id);
          }
        });
    return new Result(
        source.leased.size(),
        consumedCount,
        rejectedStale,
        failed,
        expired,
        reopened,
        openAtEnd,
        rest.size(),
        duplicates,
        consumedAfterClose,
        inconsistencies,
        source.expiredByCause,
        lostSample);
  }

  /** Removes from {@code rest} the leases of {@code fate} it holds, and counts them. */
  private static long take(LeaseSet rest, LeaseSet fate) {
    long[] count = {0};
    fate.forEach(
        id -> {
          if (rest.remove(new LeaseId(id))) {
            count[0]++;
          }
        });
    return count[0];
  }

  /** The task source's events replayed with its own rules, keeping what became of each lease. */
  private static final class TaskSourceReplay {
    final LeaseSet leased = new LeaseSet();
    final LeaseSet open = new LeaseSet();
    final LeaseSet claimed = new LeaseSet();
    final LeaseSet rejectedStale = new LeaseSet();
    final LeaseSet failed = new LeaseSet();
    final LeaseSet expired = new LeaseSet();
    final LeaseSet reopened = new LeaseSet();

    /** Leases whose task went back to the reissue queue after they were handed out. */
    final LeaseSet requeued = new LeaseSet();

    final Map<String, Long> expiredByCause = new java.util.TreeMap<>();
    long reissueQueue;
    long inconsistencies;

    TaskSourceReplay apply(Object event) {
      if (event instanceof LeaseEvent.LeasesIssued e) {
        if (e.reissued() > reissueQueue) {
          inconsistencies++;
          reissueQueue = 0;
        } else {
          reissueQueue -= e.reissued();
        }
        for (int i = 0; i < e.tasks().size(); i++) {
          LeaseId lease = e.lease(i);
          if (!leased.add(lease)) {
            inconsistencies++;
          }
          open.add(lease);
        }
      } else if (event instanceof LeaseEvent.LeasesClaimed e) {
        for (LeaseId lease : e.leases()) {
          if (!open.contains(lease)) {
            inconsistencies++; // the task source grants claims on open leases only
          }
          claimed.add(lease);
        }
      } else if (event instanceof LeaseEvent.LeasesSettled e) {
        for (LeaseId lease : e.leases()) {
          open.remove(lease);
          if (e.settlement() == Settlement.REJECTED_STALE) {
            rejectedStale.add(lease);
          } else if (e.settlement() == Settlement.FAILED) {
            failed.add(lease);
          }
        }
      } else if (event instanceof LeaseEvent.LeasesExpired e) {
        for (LeaseId lease : e.leases()) {
          if (open.remove(lease)) { // as the task source: only an open lease's task is requeued
            expired.add(lease);
            requeued.add(lease);
            reissueQueue++;
            expiredByCause.merge(
                e.cause().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
          }
        }
      } else if (event instanceof LeaseEvent.LeasesReopened e) {
        for (LeaseId lease : e.leases()) {
          open.remove(lease);
          reopened.add(lease);
          requeued.add(lease);
        }
        reissueQueue += e.tasks().size();
      }
      return this;
    }
  }

  /** The learner's steps, less those a resume discarded, as its training ledger replays them. */
  private static final class LearnerReplay {
    final List<TrainingLedger.StepApplied> steps = new ArrayList<>();

    LearnerReplay apply(Object event) {
      if (event instanceof TrainingLedger.StepApplied e) {
        steps.add(e);
      } else if (event instanceof TrainingLedger.ResumedFromCheckpoint e) {
        steps.removeIf(s -> s.version().value() > e.checkpoint().value());
      }
      return this;
    }

    /** Surviving consumptions per lease. */
    Map<Long, Integer> survivingConsumptions() {
      Map<Long, Integer> out = new HashMap<>();
      for (TrainingLedger.StepApplied s : steps) {
        for (LeaseId lease : s.leases()) {
          out.merge(lease.value(), 1, Integer::sum);
        }
      }
      return out;
    }
  }
}
