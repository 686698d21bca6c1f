package verity.actors.protocol;

import akka.actor.typed.ActorRef;
import verity.actors.VerityMessage;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.WeightsHeader;
import verity.actors.weights.plane.PlaneAddress;
import verity.actors.weights.plane.WireDtype;

/**
 * How policy replicas (rollout workers, evaluators) learn of and fetch new policy versions from the
 * policy store. The store announces each version on a topic; a replica ready to swap asks for the
 * newest and is offered its header (names, shapes, checksum) and where to stream its bytes from:
 * the store's weight plane, or a follower that relays it (see {@link verity.actors.weights.plane}).
 * Only headers travel over Artery; the bytes never do.
 */
public final class WeightsProtocol {
  private WeightsProtocol() {}

  /** A message the policy store accepts. */
  public sealed interface Command extends VerityMessage permits FetchLatest {}

  /**
   * Offer me your newest version, if it is at least {@code atLeast}. {@code relay} is where this
   * replica serves what it receives to others, or null when it does not relay.
   */
  public record FetchLatest(PolicyVersion atLeast, PlaneAddress relay, ActorRef<Reply> replyTo)
      implements Command {}

  /** What a fetching replica receives. */
  public sealed interface Reply extends VerityMessage permits Offer, NotAvailable {}

  /**
   * The store's newest version: stream it from {@code upstream} (the store's own plane or a relay)
   * in chunks of {@code chunkValues} values per tensor sent as {@code dtype}, and from {@code
   * store} when the upstream fails. The header's checksum is of the values as the replica will hold
   * them (after the dtype's rounding).
   */
  public record Offer(
      WeightsHeader header,
      int chunkValues,
      WireDtype dtype,
      PlaneAddress store,
      PlaneAddress upstream)
      implements Reply {}

  /**
   * The store has nothing as new as asked for (yet); {@code latest} is what it has, null when it
   * has nothing yet.
   */
  public record NotAvailable(PolicyVersion requested, PolicyVersion latest) implements Reply {}

  /** Announced on {@link verity.actors.cluster.Topics#POLICY_VERSIONS} for every new version. */
  public sealed interface Announcement extends VerityMessage permits VersionPublished {}

  /** A new version is ready at the store. */
  public record VersionPublished(WeightsHeader header) implements Announcement {}
}
