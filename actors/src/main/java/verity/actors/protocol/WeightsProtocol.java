package verity.actors.protocol;

import akka.actor.typed.ActorRef;
import java.util.Arrays;
import java.util.Objects;
import verity.actors.VerityMessage;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.WeightsHeader;

/**
 * How policy replicas (rollout workers, evaluators) learn of and fetch new policy versions from the
 * policy store: the store announces each version on a topic, and a replica pulls the chunks of the
 * newest version when it is ready to swap, a window at a time: it asks for more as chunks arrive,
 * so no more than a bounded number of chunks is ever queued for it, whatever the model's size, and
 * it asks again from the first chunk it misses.
 */
public final class WeightsProtocol {
  private WeightsProtocol() {}

  /** A message the policy store accepts. */
  public sealed interface Command extends VerityMessage permits FetchLatest, FetchChunks {}

  /**
   * Send me the first {@code chunks} chunks of your newest version, if it is at least {@code
   * atLeast}.
   */
  public record FetchLatest(PolicyVersion atLeast, int chunks, ActorRef<Delivery> replyTo)
      implements Command {}

  /**
   * Send me chunks {@code [from, from + chunks)} of {@code version}; {@link NotAvailable} when you
   * no longer hold it (a newer version replaced it).
   */
  public record FetchChunks(PolicyVersion version, int from, int chunks, ActorRef<Delivery> replyTo)
      implements Command {}

  /** What a fetching replica receives. */
  public sealed interface Delivery extends VerityMessage permits WeightsChunk, NotAvailable {}

  /**
   * Values {@code [offset, offset + data.length)} of a version, chunk {@code index} of {@code
   * count}. Every chunk carries the (small) header so that chunks may arrive in any order.
   */
  public record WeightsChunk(WeightsHeader header, int index, int count, int offset, float[] data)
      implements Delivery {

    public WeightsChunk {
      if (index < 0 || index >= count) {
        throw new IllegalArgumentException("chunk index " + index + " outside 0.." + (count - 1));
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof WeightsChunk c
          && header.equals(c.header)
          && index == c.index
          && count == c.count
          && offset == c.offset
          && Arrays.equals(data, c.data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(header, index, count, offset);
    }
  }

  /**
   * The store has nothing as new as asked for (yet); {@code latest} is what it has, null when it
   * has nothing yet.
   */
  public record NotAvailable(PolicyVersion requested, PolicyVersion latest) implements Delivery {}

  /** Announced on {@link verity.actors.cluster.Topics#POLICY_VERSIONS} for every new version. */
  public sealed interface Announcement extends VerityMessage permits VersionPublished {}

  /** A new version is ready at the store. */
  public record VersionPublished(WeightsHeader header) implements Announcement {}
}
