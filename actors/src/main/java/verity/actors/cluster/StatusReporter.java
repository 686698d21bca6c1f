package verity.actors.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.pubsub.Topic;
import verity.actors.ids.PolicyVersion;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.TrainingEvent;

/**
 * Publishes one actor's {@link TrainingEvent.ActorStatus} on the training-events topic for the
 * console: the actor's name, kind and node are fixed, the rest is filled in per report, e.g. {@code
 * status.state("generating").queue(3).processed(n).latency(window).publish()}. What a report leaves
 * out is 0, or "does not apply" for the policy version.
 */
public final class StatusReporter {
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final String actor;
  private final String kind;
  private final String node;
  private int restarts;

  /**
   * @param actor the actor's name in reports, {@code node:actor}
   * @param kind {@code task-source}, {@code rollout-worker}, {@code verifier}, {@code learner}, ...
   */
  public StatusReporter(ActorContext<?> ctx, String actor, String kind) {
    this.events = Topics.trainingEvents(ctx);
    this.actor = actor;
    this.kind = kind;
    this.node = NodeIdentity.name(ctx.getSystem());
  }

  /** How often the actor's supervisor restarted it; every later report carries it. */
  public void restarts(int restarts) {
    this.restarts = restarts;
  }

  /** A report in this state; {@link Report#publish()} sends it. */
  public Report state(String state) {
    return new Report(state);
  }

  /** One status report being filled in. */
  public final class Report {
    private final String state;
    private int queueDepth;
    private int inFlight;
    private long processed;
    private double p50Millis;
    private double p99Millis;
    private long version = -1;
    private long epoch = -1;
    private long errors;

    private Report(String state) {
      this.state = state;
    }

    /** Work waiting for the actor (requests, trajectories, batches). */
    public Report queue(int depth) {
      this.queueDepth = depth;
      return this;
    }

    /** Work started and not finished. */
    public Report inFlight(int count) {
      this.inFlight = count;
      return this;
    }

    /** Work finished over the actor's life. */
    public Report processed(long count) {
      this.processed = count;
      return this;
    }

    /** p50 and p99 of the actor's unit of work over its recent window. */
    public Report latency(LatencyWindow window) {
      double[] q = window.quantiles(0.5, 0.99);
      this.p50Millis = q[0];
      this.p99Millis = q[1];
      return this;
    }

    /** The policy version the actor works with; null when it holds none yet. */
    public Report version(PolicyVersion v) {
      this.version = v == null ? -1 : v.value();
      this.epoch = v == null ? -1 : v.epoch();
      return this;
    }

    /** Failures over the actor's life (expired leases, refused batches, ...). */
    public Report errors(long count) {
      this.errors = count;
      return this;
    }

    public void publish() {
      events.tell(
          Topic.publish(
              new TrainingEvent.ActorStatus(
                  actor,
                  kind,
                  node,
                  state,
                  queueDepth,
                  inFlight,
                  processed,
                  p50Millis,
                  p99Millis,
                  version,
                  epoch,
                  errors,
                  restarts)));
    }
  }
}
