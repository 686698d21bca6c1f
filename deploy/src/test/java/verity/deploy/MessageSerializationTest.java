package verity.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ScanResult;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.PolicyVersion;
import verity.actors.serialization.KryoFuzz;
import verity.actors.serialization.KryoSerializer;
import verity.actors.serialization.SerializationRoundTrip;
import verity.actors.weights.WeightsHeader;
import verity.actors.weights.plane.PlaneAddress;

/**
 * Every message of every module goes through the Kryo serializer and comes back equal. Messages are
 * found on the class path and by walking each sealed protocol, so a new message that nobody
 * registered fails here rather than in a running cluster.
 */
class MessageSerializationTest {
  static ActorTestKit testKit;
  static ActorRef<Object> someRef;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "serialization",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    someRef = testKit.<Object>createTestProbe().getRef();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Concrete classes implementing the marker, found on the class path. */
  static Set<Class<?>> scanned() {
    try (ScanResult scan = new ClassGraph().enableClassInfo().acceptPackages("verity").scan()) {
      Set<Class<?>> out = new LinkedHashSet<>();
      for (Class<?> c : scan.getClassesImplementing(VerityMessage.class.getName()).loadClasses()) {
        if (!c.isInterface() && !LocalOnly.class.isAssignableFrom(c)) {
          out.add(c);
        }
      }
      return out;
    }
  }

  /** Every concrete, serializable class reached from the sealed protocols among {@code roots}. */
  static Set<Class<?>> walkSealed(Set<Class<?>> roots) {
    Set<Class<?>> out = new LinkedHashSet<>();
    List<Class<?>> todo = new ArrayList<>();
    try (ScanResult scan = new ClassGraph().enableClassInfo().acceptPackages("verity").scan()) {
      for (Class<?> c : scan.getClassesImplementing(VerityMessage.class.getName()).loadClasses()) {
        if (c.isInterface() && c.isSealed()) {
          todo.add(c);
        }
      }
    }
    todo.addAll(roots);
    while (!todo.isEmpty()) {
      Class<?> c = todo.remove(todo.size() - 1);
      if (c.isSealed()) {
        todo.addAll(List.of(c.getPermittedSubclasses()));
      } else if (!c.isInterface() && !LocalOnly.class.isAssignableFrom(c) && out.add(c)) {
        continue;
      }
    }
    return out;
  }

  @Test
  void shouldRoundTripEveryMessageThroughKryo() {
    Set<Class<?>> messages = new LinkedHashSet<>(scanned());
    messages.addAll(walkSealed(Set.of(VerityMessage.class)));
    assertTrue(messages.size() >= 15, "found only " + messages);
    Set<String> failures = new TreeSet<>();
    for (Class<?> type : messages) {
      try {
        Object sample = sample(type, type);
        assertEquals(
            KryoSerializer.IDENTIFIER,
            SerializationRoundTrip.serializerId(testKit.system(), sample),
            type + " is not bound to Kryo");
        Object back = SerializationRoundTrip.roundTrip(testKit.system(), sample);
        if (!SerializationRoundTrip.deepEquals(sample, back)) {
          failures.add(type.getName() + ": came back as " + back);
        }
      } catch (RuntimeException | AssertionError e) {
        failures.add(type.getName() + ": " + e);
      }
    }
    if (!failures.isEmpty()) {
      fail("messages that do not survive serialization:\n" + String.join("\n", failures));
    }
  }

  @Test
  void shouldAnswerHostilePayloadsToEveryRegisteredTypeWithAValueOrAnException() {
    System.out.println(KryoFuzz.run(testKit.system(), 20261207));
  }

  @Test
  void shouldKeepEveryProtocolMessageInsideASealedHierarchyOrAReplyRecord() {
    for (Class<?> c : scanned()) {
      assertTrue(c.isRecord() || c.isEnum(), c + " should be an immutable record or enum");
    }
    assertFalse(walkSealed(Set.of()).isEmpty());
  }

  // --- sample values -------------------------------------------------------------------------

  private static final Map<Class<?>, Object> FIXED =
      Map.of(
          PolicyVersion.class,
          PolicyVersion.of(3),
          WeightsHeader.class,
          new WeightsHeader(
              PolicyVersion.of(3),
              List.of("w", "b"),
              List.of(new int[] {2, 2}, new int[] {1}),
              5,
              42L));

  static Object sample(Type type, Class<?> owner) {
    Class<?> raw = raw(type);
    if (FIXED.containsKey(raw)) {
      return FIXED.get(raw);
    }
    if (raw == PlaneAddress.class) {
      return new PlaneAddress("10.0.0.7", 25600);
    }
    if (raw == int.class || raw == Integer.class) {
      return 1;
    }
    if (raw == long.class || raw == Long.class) {
      return 2L;
    }
    if (raw == float.class || raw == Float.class) {
      return 0.5f;
    }
    if (raw == double.class || raw == Double.class) {
      return 0.25;
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return true;
    }
    if (raw == String.class) {
      return "s";
    }
    if (raw == int[].class) {
      return new int[] {4, 2};
    }
    if (raw == float[].class) {
      return new float[] {-0.5f, -1.5f};
    }
    if (raw == boolean[].class) {
      return new boolean[] {true, false};
    }
    if (raw == long[].class) {
      return new long[] {7L};
    }
    if (raw == double[].class) {
      return new double[] {0.75};
    }
    if (raw == byte[].class) {
      return new byte[] {1, 2};
    }
    if (raw == verity.actors.weights.FlatWeights.class) {
      // Its header must agree with its values, so a field-by-field sample would not construct.
      return verity.actors.weights.FlatWeights.of(
          verity.actors.ids.PolicyVersion.of(3),
          List.of("w"),
          List.of(new int[] {2}),
          new float[] {0.5f, -1.5f});
    }
    if (raw == String[].class) {
      return new String[] {"a", "b"};
    }
    if (raw.isEnum()) {
      return raw.getEnumConstants()[0];
    }
    if (ActorRef.class.isAssignableFrom(raw)) {
      return someRef;
    }
    if (List.class.isAssignableFrom(raw)) {
      return List.of(sample(argument(type, 0), owner), sample(argument(type, 0), owner));
    }
    if (Set.class.isAssignableFrom(raw)) {
      return Set.of(sample(argument(type, 0), owner));
    }
    if (Map.class.isAssignableFrom(raw)) {
      return Map.of(sample(argument(type, 0), owner), sample(argument(type, 1), owner));
    }
    if (raw.isRecord()) {
      RecordComponent[] components = raw.getRecordComponents();
      Object[] args = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        args[i] = sample(components[i].getGenericType(), raw);
        types[i] = components[i].getType();
      }
      try {
        Constructor<?> ctor = raw.getDeclaredConstructor(types);
        ctor.setAccessible(true);
        return ctor.newInstance(args);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(
            "cannot build a sample " + raw.getName() + ": " + e.getCause(), e);
      }
    }
    if (raw.isSealed()) {
      for (Class<?> sub : raw.getPermittedSubclasses()) {
        if (!LocalOnly.class.isAssignableFrom(sub) && !sub.isInterface()) {
          return sample(sub, owner);
        }
      }
    }
    throw new IllegalStateException("no sample value for " + type + " in " + owner.getName());
  }

  private static Class<?> raw(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalStateException("unsupported type " + t);
  }

  private static Type argument(Type t, int i) {
    if (t instanceof ParameterizedType p) {
      Type a = p.getActualTypeArguments()[i];
      return a instanceof java.lang.reflect.WildcardType w ? w.getUpperBounds()[0] : a;
    }
    return Object.class;
  }
}
