package verity.console;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import verity.actors.LocalOnly;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.Topics;
import verity.actors.protocol.PauseProtocol;
import verity.actors.protocol.TrainingEvent;

/**
 * Feeds the console's model: every training event of the cluster as it is published, the cluster's
 * membership once a second, and where the run's task source is (for pause and resume).
 */
final class ConsoleFeed {
  private ConsoleFeed() {}

  static final Duration MEMBERSHIP_INTERVAL = Duration.ofSeconds(1);

  private enum Tick implements LocalOnly {
    INSTANCE
  }

  private record Sources(Set<ActorRef<PauseProtocol.Command>> sources) implements LocalOnly {}

  static Behavior<Object> create(
      ConsoleModel model, AtomicReference<ActorRef<PauseProtocol.Command>> taskSource) {
    return Behaviors.setup(
        ctx -> {
          Topics.trainingEvents(ctx).tell(Topic.subscribe(ctx.getSelf().narrow()));
          ServiceWatcher.spawn(ctx, ServiceKeys.RUN_PAUSE, Sources::new);
          Cluster cluster = Cluster.get(ctx.getSystem());
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, MEMBERSHIP_INTERVAL);
                return Behaviors.receive(Object.class)
                    .onMessage(
                        TrainingEvent.class,
                        e -> {
                          model.apply(e);
                          return Behaviors.same();
                        })
                    .onMessage(
                        Sources.class,
                        s -> {
                          taskSource.set(s.sources().stream().findFirst().orElse(null));
                          return Behaviors.same();
                        })
                    .onMessageEquals(
                        Tick.INSTANCE,
                        () -> {
                          readMembership(cluster, model);
                          return Behaviors.same();
                        })
                    .build();
              });
        });
  }

  private static void readMembership(Cluster cluster, ConsoleModel model) {
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    String self = cluster.selfMember().address().toString();
    List<ConsoleModel.Member> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      members.add(
          new ConsoleModel.Member(
              m.address().toString(),
              m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList(),
              m.status().toString(),
              !unreachable.contains(m),
              m.address().toString().equals(self)));
    }
    String leader = state.getLeader() == null ? "" : state.getLeader().toString();
    model.members(members, self, leader);
  }
}
