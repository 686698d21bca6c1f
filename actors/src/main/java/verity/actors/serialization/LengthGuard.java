package verity.actors.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Wraps one of Kryo's array serializers, which begin with the element count plus one as a varint (0
 * for null) and allocate for it at once: the count is read ahead and refused when the bytes left
 * could not hold that many elements of a byte each ({@link BoundedInput#within}). Collections are
 * guarded where they allocate instead ({@link GuardedCollections}): theirs may carry flags in the
 * count's first byte.
 */
final class LengthGuard<T> extends Serializer<T> {
  private final Serializer<T> delegate;

  LengthGuard(Serializer<T> delegate) {
    this.delegate = delegate;
    setAcceptsNull(delegate.getAcceptsNull());
    setImmutable(delegate.isImmutable());
  }

  @Override
  public void write(Kryo kryo, Output output, T object) {
    delegate.write(kryo, output, object);
  }

  @Override
  public T read(Kryo kryo, Input input, Class<? extends T> type) {
    int start = input.position();
    int declared = input.readVarInt(true);
    input.setPosition(start);
    BoundedInput.within(input, (long) declared - 1, 1, type.getSimpleName() + " elements");
    return delegate.read(kryo, input, type);
  }

  @Override
  public T copy(Kryo kryo, T original) {
    return delegate.copy(kryo, original);
  }
}
