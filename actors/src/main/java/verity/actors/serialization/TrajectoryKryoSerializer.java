package verity.actors.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.List;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.Segment;
import verity.actors.protocol.Trajectory;

/**
 * Writes a {@link Trajectory} field by field: token ids as varints, the policy mask as bits, the
 * log-probs as raw floats, the segments inline. Every rollout batch carries hundreds of these, and
 * Kryo's record serializer reaches each of a record's components, and its nested records', through
 * reflection; this one calls nothing reflectively (the serialization benchmark has the figures).
 *
 * <p>Reading checks every length against the bytes left before it allocates, so a peer that
 * declares a billion tokens in a few bytes gets a {@link KryoException}, not an allocation. That
 * needs the whole message in the input's buffer, as {@link KryoSerializer} reads it.
 */
final class TrajectoryKryoSerializer extends Serializer<Trajectory> {

  TrajectoryKryoSerializer() {
    setImmutable(true);
  }

  @Override
  public void write(Kryo kryo, Output output, Trajectory t) {
    output.writeVarLong(t.id().lease().value(), true);
    output.writeVarInt(t.id().sample(), true);
    output.writeString(t.suite());
    output.writeString(t.task().value());
    output.writeVarInt(t.groupSize(), true);
    writeTokens(output, t.prompt());
    writeTokens(output, t.tokens());
    boolean[] mask = t.policyMask();
    for (int i = 0; i < mask.length; i += 8) {
      int bits = 0;
      for (int b = 0; b < 8 && i + b < mask.length; b++) {
        bits |= mask[i + b] ? 1 << b : 0;
      }
      output.writeByte(bits);
    }
    output.writeFloats(t.logProbs(), 0, t.logProbs().length);
    output.writeString(t.completion());
    output.writeVarInt(t.segments().size(), true);
    for (Segment s : t.segments()) {
      output.writeVarInt(s.start(), true);
      output.writeVarInt(s.length(), true);
      output.writeVarLong(s.version().epoch(), true);
      output.writeVarLong(s.version().value(), true);
    }
    output.writeString(t.worker());
  }

  @Override
  public Trajectory read(Kryo kryo, Input input, Class<? extends Trajectory> type) {
    TrajectoryId id =
        new TrajectoryId(new LeaseId(input.readVarLong(true)), input.readVarInt(true));
    String suite = input.readString();
    TaskId task = new TaskId(input.readString());
    int groupSize = input.readVarInt(true);
    int[] prompt = readTokens(input, "prompt");
    int[] tokens = readTokens(input, "tokens");
    int n = tokens.length;
    BoundedInput.within(input, (n + 7) / 8, 1, "policy mask");
    boolean[] mask = new boolean[n];
    for (int i = 0; i < n; i += 8) {
      int bits = input.readByte();
      for (int b = 0; b < 8 && i + b < n; b++) {
        mask[i + b] = (bits & (1 << b)) != 0;
      }
    }
    BoundedInput.within(input, n, Float.BYTES, "log-probs");
    float[] logProbs = input.readFloats(n);
    String completion = input.readString();
    int segmentCount = input.readVarInt(true);
    BoundedInput.within(input, segmentCount, 4, "segments");
    List<Segment> segments = new ArrayList<>(segmentCount);
    for (int i = 0; i < segmentCount; i++) {
      int start = input.readVarInt(true);
      int length = input.readVarInt(true);
      segments.add(
          new Segment(
              start, length, new PolicyVersion(input.readVarLong(true), input.readVarLong(true))));
    }
    String worker = input.readString();
    try {
      return new Trajectory(
          id, suite, task, groupSize, prompt, tokens, mask, logProbs, completion, segments, worker);
    } catch (RuntimeException e) {
      throw new KryoException("not a valid trajectory: " + e.getMessage(), e);
    }
  }

  private static void writeTokens(Output output, int[] ids) {
    output.writeVarInt(ids.length, true);
    output.writeInts(ids, 0, ids.length, true);
  }

  private static int[] readTokens(Input input, String what) {
    int n = input.readVarInt(true);
    BoundedInput.within(input, n, 1, what); // a varint takes at least a byte
    return input.readInts(n, true);
  }
}
