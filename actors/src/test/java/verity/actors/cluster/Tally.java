package verity.actors.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import verity.actors.VerityMessage;

/**
 * A small event-sourced counter for the journal's tests: it journals each value added, snapshots at
 * every third event, and tells a probe when it recovered (and from how many replayed events) and
 * when a snapshot is stored.
 */
final class Tally extends EventSourcedBehavior<Tally.Command, Tally.Added, Tally.Total> {
  sealed interface Command extends VerityMessage {}

  /** Adds {@code value}; the reply is the total once the event is journaled. */
  record Add(long value, ActorRef<Total> replyTo) implements Command {}

  record Added(long value) implements VerityMessage {}

  record Total(long count, long sum) implements VerityMessage {}

  /** What the probe hears: recovery finished, or a snapshot was stored. */
  sealed interface Report extends VerityMessage {}

  /** Recovered {@code total}, replaying {@code replayed} events (those after the snapshot). */
  record Recovered(Total total, long replayed) implements Report {}

  record SnapshotStored(long sequenceNr) implements Report {}

  /** The test registrations of these messages for Kryo (ids 190-199: actors' tests). */
  static final Config KRYO =
      ConfigFactory.parseString(
          "verity.serialization.kryo.registrations {\n"
              + "  \"verity.actors.cluster.Tally$Add\" = 190\n"
              + "  \"verity.actors.cluster.Tally$Added\" = 191\n"
              + "  \"verity.actors.cluster.Tally$Total\" = 192\n"
              + "  \"verity.actors.cluster.Tally$Recovered\" = 193\n"
              + "  \"verity.actors.cluster.Tally$SnapshotStored\" = 194\n"
              + "}");

  private final ActorRef<Report> reports;
  private long replayed;

  private Tally(PersistenceId id, ActorRef<Report> reports) {
    super(id);
    this.reports = reports;
  }

  static Behavior<Command> create(String id, ActorRef<Report> reports) {
    return Behaviors.setup(ctx -> new Tally(PersistenceId.ofUniqueId(id), reports));
  }

  @Override
  public Total emptyState() {
    return new Total(0, 0);
  }

  @Override
  public CommandHandler<Command, Added, Total> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            Add.class,
            add -> Effect().persist(new Added(add.value())).thenReply(add.replyTo(), t -> t))
        .build();
  }

  @Override
  public EventHandler<Total, Added> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Added.class,
            (total, added) -> {
              replayed++;
              return new Total(total.count() + 1, total.sum() + added.value());
            })
        .build();
  }

  @Override
  public boolean shouldSnapshot(Total state, Added event, long sequenceNr) {
    return sequenceNr % 3 == 0;
  }

  @Override
  public SignalHandler<Total> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            total -> {
              reports.tell(new Recovered(total, replayed));
            })
        .onSignal(
            SnapshotCompleted.class,
            (total, done) -> reports.tell(new SnapshotStored(done.metadata().sequenceNr())))
        .build();
  }
}
