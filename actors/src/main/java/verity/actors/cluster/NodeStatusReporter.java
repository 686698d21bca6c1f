package verity.actors.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import verity.actors.LocalOnly;
import verity.actors.protocol.TrainingEvent;

/**
 * Publishes this node's heap, CPU load and thread count every {@link #INTERVAL}, from the JVM's own
 * management beans, for the console's cluster page and its metrics.
 */
public final class NodeStatusReporter {
  private NodeStatusReporter() {}

  public static final Duration INTERVAL = Duration.ofSeconds(2);

  private enum Tick implements LocalOnly {
    INSTANCE
  }

  public static Behavior<Object> create() {
    return Behaviors.setup(
        ctx -> {
          ActorRef<Topic.Command<TrainingEvent>> events = Topics.trainingEvents(ctx);
          String node = NodeIdentity.name(ctx.getSystem());
          String address = NodeIdentity.address(ctx.getSystem()).toString();
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, INTERVAL);
                return Behaviors.receiveMessage(
                    tick -> {
                      events.tell(Topic.publish(read(node, address)));
                      return Behaviors.same();
                    });
              });
        });
  }

  /** This JVM now. */
  public static TrainingEvent.NodeStatus read(String node, String address) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    double process = -1;
    double system = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      process = os.getProcessCpuLoad();
      system = os.getCpuLoad();
    }
    return new TrainingEvent.NodeStatus(
        node,
        address,
        heap.getUsed(),
        heap.getMax(),
        process,
        system,
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getThreadMXBean().getThreadCount(),
        ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
  }
}
