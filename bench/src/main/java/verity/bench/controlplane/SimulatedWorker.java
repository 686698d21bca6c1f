package verity.bench.controlplane;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.Routers;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import verity.actors.LocalOnly;
import verity.actors.cluster.ServiceKeys;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.Segment;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.VerifierProtocol;
import verity.envs.Suite;
import verity.policy.CharacterTokenizer;
import verity.rollout.TaskRequests;
import verity.rollout.TaskSource;

/**
 * A rollout worker without a model: it leases tasks from the real {@link TaskSource} the way {@code
 * RolloutWorker} does, "generates" the group of each leased task at once (real {@link Trajectory}
 * records with the task's prompt and a fixed-length completion), offers them as one {@code
 * VerifyBatch} to the suite's verifier pool through a round-robin group router, and asks for more
 * once the batch is accepted. It measures each lease request's latency.
 */
public final class SimulatedWorker extends AbstractBehavior<SimulatedWorker.Command> {

  /** How long an offer may go unanswered before it is made again (a router with no routee yet). */
  private static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(1);

  /** A message the simulated worker accepts. */
  public sealed interface Command extends LocalOnly {}

  private record Leased(TaskRequests.Leases leases) implements Command {}

  private record VerifierReply(VerifierProtocol.Reply reply) implements Command {}

  private enum Resend implements Command {
    INSTANCE
  }

  private final String name;
  private final Suite suite;
  private final int tasksPerRequest;
  private final ActorRef<TaskSource.Command> source;
  private final ActorRef<VerifierProtocol.Command> verifiers;
  private final ActorRef<TaskRequests.Leases> leaseReplies;
  private final ActorRef<VerifierProtocol.Reply> verifierReplies;
  private final TimerScheduler<Command> timers;
  private final Meter meter;
  private final CharacterTokenizer tokenizer;
  private final int[] tokens;
  private final String completion;
  private final boolean[] policyMask;
  private final float[] logProbs;
  private final List<Segment> segments;
  private long requestedAt;
  private long nextBatch;
  private VerifierProtocol.VerifyBatch held;

  /**
   * @param completionTokens the length of every simulated completion
   */
  public static Behavior<Command> create(
      String name,
      Suite suite,
      int tasksPerRequest,
      int completionTokens,
      ActorRef<TaskSource.Command> source,
      Meter meter) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new SimulatedWorker(
                        ctx,
                        timers,
                        name,
                        suite,
                        tasksPerRequest,
                        completionTokens,
                        source,
                        meter)));
  }

  private SimulatedWorker(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String name,
      Suite suite,
      int tasksPerRequest,
      int completionTokens,
      ActorRef<TaskSource.Command> source,
      Meter meter) {
    super(ctx);
    this.timers = timers;
    this.name = name;
    this.suite = suite;
    this.tasksPerRequest = tasksPerRequest;
    this.source = source;
    this.meter = meter;
    this.leaseReplies = ctx.messageAdapter(TaskRequests.Leases.class, Leased::new);
    this.verifierReplies = ctx.messageAdapter(VerifierProtocol.Reply.class, VerifierReply::new);
    this.verifiers =
        ctx.spawn(
            Routers.group(ServiceKeys.verifiers(suite.name())).withRoundRobinRouting(),
            "verifiers");
    // One completion shared by all of this worker's trajectories: the arrays are never written
    // after this, and every send copies them through Kryo anyway (serialize-messages is on).
    SplittableRandom random = new SplittableRandom(name.hashCode());
    this.tokenizer = new CharacterTokenizer(suite.alphabet());
    int vocabulary = tokenizer.vocabSize();
    this.tokens = new int[completionTokens];
    this.logProbs = new float[completionTokens];
    for (int i = 0; i < completionTokens; i++) {
      tokens[i] = random.nextInt(vocabulary);
      logProbs[i] = (float) -random.nextDouble(0.01, 5);
    }
    this.completion = tokenizer.decode(tokens);
    this.policyMask = Trajectory.allSampled(completionTokens);
    this.segments = List.of(new Segment(0, completionTokens, PolicyVersion.INITIAL));
    request();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Leased.class, this::onLeased)
        .onMessage(VerifierReply.class, this::onVerifierReply)
        .onMessage(Resend.class, r -> onResend())
        .build();
  }

  private void request() {
    requestedAt = System.nanoTime();
    source.tell(new TaskRequests.RequestTasks(tasksPerRequest, name, leaseReplies));
  }

  private Behavior<Command> onLeased(Leased l) {
    List<TaskRequests.Lease> leases = l.leases().leases();
    meter.leased(leases.size(), System.nanoTime() - requestedAt);
    if (leases.isEmpty()) {
      request();
      return this;
    }
    List<Trajectory> out = new ArrayList<>();
    for (TaskRequests.Lease lease : leases) {
      int[] prompt = tokenizer.promptIds(suite.lookup(lease.task().value()).prompt());
      for (int j = 0; j < lease.groupSize(); j++) {
        out.add(
            new Trajectory(
                new TrajectoryId(lease.id(), j),
                suite.name(),
                lease.task(),
                lease.groupSize(),
                prompt,
                tokens,
                policyMask,
                logProbs,
                completion,
                segments,
                name));
      }
    }
    held = new VerifierProtocol.VerifyBatch(nextBatch++, out, verifierReplies);
    offer();
    return this;
  }

  private void offer() {
    verifiers.tell(held);
    timers.startSingleTimer(Resend.INSTANCE, ACCEPT_TIMEOUT);
  }

  private Behavior<Command> onVerifierReply(VerifierReply r) {
    if (held != null
        && r.reply() instanceof VerifierProtocol.Accepted a
        && a.batch() == held.batch()) {
      held = null;
      timers.cancel(Resend.INSTANCE);
      request();
    }
    return this;
  }

  private Behavior<Command> onResend() {
    if (held != null) {
      offer();
    }
    return this;
  }
}
