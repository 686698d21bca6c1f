package verity.actors.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * Collection serializers that refuse a declared size the message's bytes could not hold (an element
 * takes a byte at least) before they allocate for it: {@link ArrayList} and the JDK's immutable
 * lists, sets and maps ({@code List.of}, {@code List.copyOf}, records' lists), written as Kryo's
 * own serializers write them and read back into the same kinds.
 */
final class GuardedCollections {
  private GuardedCollections() {}

  /**
   * Registers {@link ArrayList} and the immutable collections (at the ids Kryo's {@link
   * ImmutableCollectionsSerializers} gives them), each with a guarded serializer.
   */
  static void register(Kryo kryo) {
    ImmutableCollectionsSerializers.registerSerializers(kryo);
    for (Object sample :
        List.of(
            List.of(),
            List.of(1),
            List.of(1, 2, 3),
            List.of(1, 2, 3, 4).subList(0, 2),
            Set.of(),
            Set.of(1),
            Set.of(1, 2, 3),
            Map.of(),
            Map.of(1, 2),
            Map.of(1, 2, 3, 4))) {
      Registration r = kryo.getRegistration(sample.getClass());
      if (sample instanceof List<?>) {
        r.setSerializer(Frozen.lists());
      } else if (sample instanceof Set<?>) {
        r.setSerializer(Frozen.sets());
      } else {
        r.setSerializer(new ImmutableMap());
      }
    }
    kryo.register(ArrayList.class, new Lists());
  }

  private static void check(Input input, int size) {
    BoundedInput.within(input, size, 1, "collection elements");
  }

  /** {@link ArrayList}. */
  @SuppressWarnings("rawtypes")
  private static final class Lists extends CollectionSerializer<ArrayList> {
    @Override
    protected ArrayList create(Kryo kryo, Input input, Class<? extends ArrayList> type, int size) {
      check(input, size);
      return new ArrayList<>(size);
    }
  }

  /**
   * A JDK immutable list or set: read into a mutable collection made for the declared size (once
   * the size is checked), then frozen into the immutable kind.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class Frozen extends CollectionSerializer<Collection> {
    private final IntFunction<Collection> fresh;
    private final UnaryOperator<Collection> freeze;

    static Frozen lists() {
      return new Frozen(ArrayList::new, List::copyOf);
    }

    static Frozen sets() {
      return new Frozen(LinkedHashSet::new, Set::copyOf);
    }

    private Frozen(IntFunction<Collection> fresh, UnaryOperator<Collection> freeze) {
      this.fresh = fresh;
      this.freeze = freeze;
      setElementsCanBeNull(false);
    }

    @Override
    protected Collection create(
        Kryo kryo, Input input, Class<? extends Collection> type, int size) {
      check(input, size);
      return fresh.apply(size);
    }

    @Override
    public Collection read(Kryo kryo, Input input, Class<? extends Collection> type) {
      return freeze.apply(super.read(kryo, input, type));
    }

    @Override
    protected Collection createCopy(Kryo kryo, Collection original) {
      return fresh.apply(original.size());
    }

    @Override
    public Collection copy(Kryo kryo, Collection original) {
      return freeze.apply(super.copy(kryo, original));
    }
  }

  /** A JDK immutable map, read into a {@link HashMap} and copied. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class ImmutableMap extends MapSerializer<Map> {
    @Override
    protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
      check(input, size);
      return new HashMap<>(size);
    }

    @Override
    public Map read(Kryo kryo, Input input, Class<? extends Map> type) {
      return Map.copyOf(super.read(kryo, input, type));
    }

    @Override
    protected Map createCopy(Kryo kryo, Map original) {
      return new HashMap<>(original.size());
    }

    @Override
    public Map copy(Kryo kryo, Map original) {
      return Map.copyOf(super.copy(kryo, original));
    }
  }
}
