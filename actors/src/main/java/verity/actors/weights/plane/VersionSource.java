package verity.actors.weights.plane;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import verity.actors.ids.PolicyVersion;

/** What a {@link WeightServer} serves: the version a request names, if it holds it. */
public interface VersionSource {
  /**
   * The served version named {@code version}, or empty; a source may wait up to {@code patience}
   * for one it expects.
   */
  CompletionStage<Optional<ServedVersion>> find(PolicyVersion version, Duration patience);
}
