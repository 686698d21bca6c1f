package verity.actors.weights;

/** Thrown when a version's values, all received, do not match its header's checksum. */
public final class ChecksumMismatchException extends RuntimeException {
  public ChecksumMismatchException(WeightsHeader header, long actual) {
    super(
        "weights "
            + header.version()
            + ": checksum "
            + Long.toHexString(actual)
            + " does not match header "
            + Long.toHexString(header.checksum()));
  }
}
