package verity.bench.serialization;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Serializable} copy of {@link verity.actors.protocol.Trajectory}, field for field, ids
 * and nested records included. Verity's messages are not {@code Serializable} (the cluster runs
 * with {@code allow-java-serialization = off}), so {@code ObjectOutputStream} refuses them; these
 * mirrors are the closest honest stand-in: the same fields, the same types, the same values.
 */
final class SerializableMirror {
  private SerializableMirror() {}

  record LeaseId(long value) implements Serializable {}

  record TrajectoryId(LeaseId lease, int sample) implements Serializable {}

  record TaskId(String value) implements Serializable {}

  record PolicyVersion(long epoch, long value) implements Serializable {}

  record Segment(int start, int length, PolicyVersion version) implements Serializable {}

  record Trajectory(
      TrajectoryId id,
      String suite,
      TaskId task,
      int groupSize,
      int[] prompt,
      int[] tokens,
      boolean[] policyMask,
      float[] logProbs,
      String completion,
      List<Segment> segments,
      String worker)
      implements Serializable {

    /** Back to Verity's record, to check that the mirror lost nothing. */
    verity.actors.protocol.Trajectory toVerity() {
      List<verity.actors.protocol.Segment> back = new ArrayList<>(segments.size());
      for (Segment s : segments) {
        back.add(
            new verity.actors.protocol.Segment(
                s.start(),
                s.length(),
                new verity.actors.ids.PolicyVersion(s.version().epoch(), s.version().value())));
      }
      return new verity.actors.protocol.Trajectory(
          new verity.actors.ids.TrajectoryId(
              new verity.actors.ids.LeaseId(id.lease().value()), id.sample()),
          suite,
          new verity.actors.ids.TaskId(task.value()),
          groupSize,
          prompt,
          tokens,
          policyMask,
          logProbs,
          completion,
          back,
          worker);
    }
  }

  static Trajectory of(verity.actors.protocol.Trajectory t) {
    List<Segment> segments = new ArrayList<>(t.segments().size());
    for (verity.actors.protocol.Segment s : t.segments()) {
      segments.add(
          new Segment(
              s.start(), s.length(), new PolicyVersion(s.version().epoch(), s.version().value())));
    }
    return new Trajectory(
        new TrajectoryId(new LeaseId(t.id().lease().value()), t.id().sample()),
        t.suite(),
        new TaskId(t.task().value()),
        t.groupSize(),
        t.prompt().clone(),
        t.tokens().clone(),
        t.policyMask().clone(),
        t.logProbs().clone(),
        t.completion(),
        List.copyOf(segments),
        t.worker());
  }
}
