package verity.actors.protocol;

import verity.actors.ids.PolicyVersion;

/**
 * A contiguous run of completion tokens produced by one policy version: {@code length} tokens
 * starting at {@code start}. A trajectory whose weights were swapped mid-episode has several.
 */
public record Segment(int start, int length, PolicyVersion version) {
  public Segment {
    if (start < 0 || length < 0) {
      throw new IllegalArgumentException("segment start and length must be >= 0");
    }
  }
}
