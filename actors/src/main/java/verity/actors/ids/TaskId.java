package verity.actors.ids;

/** Identifies a task within its suite; a verifier resolves it through its own copy of the suite. */
public record TaskId(String value) {
  public TaskId {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("task id must not be empty");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
