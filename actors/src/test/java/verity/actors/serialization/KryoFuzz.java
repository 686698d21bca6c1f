package verity.actors.serialization;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.typed.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import com.esotericsoftware.kryo.io.Output;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import scala.util.Try;

/**
 * Random and hostile bytes, addressed to every type registered in a system's configuration, as a
 * peer on the cluster could send them: each must end in a value or an exception, never in an error
 * that takes the JVM (an allocation of what a few bytes declared, a recursion as deep as they
 * nest), and the heap must end where it began. Each module's test calls it with what its class path
 * registers.
 */
public final class KryoFuzz {
  private static final int PAYLOADS_PER_TYPE = 48;

  private KryoFuzz() {}

  /** What a run tried. */
  public record Result(int types, int tried, int refused, long heapBefore, long heapAfter) {
    @Override
    public String toString() {
      return String.format(
          "kryo fuzz: %d payloads to %d types, %d refused with an exception, %d decoded;"
              + " heap in use %,d B before, %,d B after",
          tried, types, refused, tried - refused, heapBefore, heapAfter);
    }
  }

  /** Runs the payloads, failing on an error; checks that the heap did not grow by 64 MiB. */
  public static Result run(ActorSystem<?> system, long seed) {
    Serialization serialization = SerializationExtension.get(system);
    List<KryoRegistrations.Registration> types =
        KryoRegistrations.from(system.settings().config(), KryoFuzz.class.getClassLoader());
    KryoSerializer kryo =
        (KryoSerializer) serialization.serializerByIdentity().apply(KryoSerializer.IDENTIFIER);
    SplittableRandom random = new SplittableRandom(seed);
    long heapBefore = usedHeapAfterCollection();
    int tried = 0;
    int refused = 0;
    for (KryoRegistrations.Registration type : types) {
      for (int i = 0; i < PAYLOADS_PER_TYPE; i++) {
        tried++;
        byte[] payload = payload(type.id(), i, random);
        refused += decode(serialization, payload, type.type() + " payload " + i) ? 0 : 1;
      }
    }
    // Lists nested 20,000 deep in 40 KB: refused at the depth cap, not by a stack overflow.
    byte[] inner = kryo.toBinary(new ArrayList<>());
    byte[] outer = kryo.toBinary(new ArrayList<>(List.of(new ArrayList<>())));
    byte[] level = Arrays.copyOf(outer, outer.length - inner.length);
    ByteArrayOutputStream deep = new ByteArrayOutputStream();
    for (int i = 0; i < 20_000; i++) {
      deep.writeBytes(level);
    }
    deep.writeBytes(inner);
    tried++;
    assertTrue(!decode(serialization, deep.toByteArray(), "nested lists"), "nested lists decoded");
    refused++;
    Result result = new Result(types.size(), tried, refused, heapBefore, usedHeapAfterCollection());
    assertTrue(result.heapAfter() - result.heapBefore() < 64L << 20, "heap grew: " + result);
    return result;
  }

  /** Whether the payload decoded; an exception is a refusal, an error fails the test. */
  private static boolean decode(Serialization serialization, byte[] payload, String what) {
    try {
      Try<Object> result = serialization.deserialize(payload, KryoSerializer.IDENTIFIER, "");
      return result.isSuccess();
    } catch (VirtualMachineError e) {
      fail(what + " (" + payload.length + " bytes) ended in " + e, e);
      return false;
    } catch (RuntimeException e) {
      return false; // thrown rather than returned as a failure: still a refusal
    }
  }

  /**
   * One payload for the type registered as {@code id}: Kryo's class id, then random bytes, the
   * largest varints (two billion elements or characters), random bytes with every high bit set, or
   * a few small fields and a declared length of a billion with nothing after it.
   */
  private static byte[] payload(int id, int kind, SplittableRandom random) {
    Output out = new Output(256, -1);
    out.writeVarInt(id + 2, true); // how Kryo writes a registered class's id
    int length = random.nextInt(1, 96);
    switch (kind % 4) {
      case 0 -> {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        out.writeBytes(bytes);
      }
      case 1 -> {
        for (int i = 0; i < 1 + length / 5; i++) {
          out.writeVarInt(Integer.MAX_VALUE, true);
        }
      }
      case 2 -> {
        for (int i = 0; i < length; i++) {
          out.writeByte(0x80 | random.nextInt(128));
        }
      }
      default -> {
        int fields = random.nextInt(0, 6);
        for (int i = 0; i < fields; i++) {
          out.writeVarInt(random.nextInt(0, 4), true);
        }
        out.writeVarInt(1 << 30, true);
      }
    }
    return out.toBytes();
  }

  private static long usedHeapAfterCollection() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
