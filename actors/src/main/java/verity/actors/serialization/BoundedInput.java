package verity.actors.serialization;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * A Kryo input over one whole message that refuses a count the bytes left could not hold, before
 * anything is allocated for it: a peer that declares a string of two billion characters, or an
 * array or collection of as many elements ({@link LengthGuard}), in a few bytes gets a {@link
 * KryoException} instead of the receiver allocating it.
 */
final class BoundedInput extends Input {

  BoundedInput(byte[] bytes) {
    super(bytes);
  }

  /**
   * Refuses {@code count} items of at least {@code minBytes} each when they cannot fit in what is
   * left of {@code input}, or when it is negative.
   */
  static void within(Input input, long count, int minBytes, String what) {
    long left = (long) input.limit() - input.position();
    if (count < 0 || count * minBytes > left) {
      throw new KryoException(
          what + ": " + count + " declared, but only " + left + " bytes are left to hold them");
    }
  }

  @Override
  public String readString() {
    checkUtf8Length();
    return super.readString();
  }

  @Override
  public StringBuilder readStringBuilder() {
    checkUtf8Length();
    return super.readStringBuilder();
  }

  /**
   * A string whose first byte has the UTF-8 flag starts with its length in characters (plus one; 0
   * is null): each takes a byte at least. An ASCII string is read byte by byte and needs none.
   */
  private void checkUtf8Length() {
    if (position < limit && (buffer[position] & 0x80) != 0) {
      int start = position;
      int declared = readVarIntFlag(true);
      setPosition(start);
      within(this, (long) declared - 1, 1, "string");
    }
  }
}
