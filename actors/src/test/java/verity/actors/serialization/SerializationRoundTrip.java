package verity.actors.serialization;

import akka.actor.typed.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/** Test helper: sends a value through the serializer Akka picks for it and compares deeply. */
public final class SerializationRoundTrip {
  private SerializationRoundTrip() {}

  /** Serializes and deserializes {@code value} with the serializer bound to its class. */
  public static Object roundTrip(ActorSystem<?> system, Object value) {
    Serialization serialization = SerializationExtension.get(system);
    Serializer serializer = serialization.findSerializerFor(value);
    byte[] bytes = serializer.toBinary(value);
    String manifest = Serializers.manifestFor(serializer, value);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  /** The id of the serializer Akka binds to {@code value}. */
  public static int serializerId(ActorSystem<?> system, Object value) {
    return SerializationExtension.get(system).findSerializerFor(value).identifier();
  }

  /** Structural equality that looks into records, arrays and collections. */
  public static boolean deepEquals(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null || a.getClass() != b.getClass()) {
      return a != null && b != null && a instanceof Collection && b instanceof Collection
          ? collectionsEqual((Collection<?>) a, (Collection<?>) b)
          : Objects.equals(a, b);
    }
    if (a.getClass().isArray()) {
      int n = Array.getLength(a);
      if (n != Array.getLength(b)) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (!deepEquals(Array.get(a, i), Array.get(b, i))) {
          return false;
        }
      }
      return true;
    }
    if (a.getClass().isRecord()) {
      for (RecordComponent c : a.getClass().getRecordComponents()) {
        try {
          c.getAccessor().setAccessible(true);
          if (!deepEquals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
            return false;
          }
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return true;
    }
    if (a instanceof Collection<?> ca) {
      return collectionsEqual(ca, (Collection<?>) b);
    }
    if (a instanceof Map<?, ?> ma) {
      Map<?, ?> mb = (Map<?, ?>) b;
      return ma.size() == mb.size()
          && ma.entrySet().stream().allMatch(e -> deepEquals(e.getValue(), mb.get(e.getKey())));
    }
    return a.equals(b);
  }

  private static boolean collectionsEqual(Collection<?> a, Collection<?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    Iterator<?> ia = a.iterator();
    Iterator<?> ib = b.iterator();
    while (ia.hasNext()) {
      if (!deepEquals(ia.next(), ib.next())) {
        return false;
      }
    }
    return true;
  }
}
