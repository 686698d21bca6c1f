package verity.deploy.verify;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads a text's lines, each up to a cap: a longer line is skipped to its end without being held,
 * and reported as too long, so one huge line cannot take the whole heap. Lines end at {@code \n} (a
 * {@code \r} before it is dropped).
 */
final class BoundedLines {
  /** A line read, or one that was longer than the cap ({@code text} null). */
  record Line(String text) {
    boolean tooLong() {
      return text == null;
    }
  }

  private final Reader in;
  private final int maxChars;
  private final StringBuilder current = new StringBuilder();

  /**
   * @param in read through a buffer of its own: this calls {@code read()} once per character
   */
  BoundedLines(Reader in, int maxChars) {
    this.in = in;
    this.maxChars = maxChars;
  }

  /** The next line, or null at the end of the text. */
  Line next() throws IOException {
    current.setLength(0);
    boolean tooLong = false;
    int c = in.read();
    if (c < 0) {
      return null;
    }
    while (c >= 0 && c != '\n') {
      if (!tooLong) {
        if (current.length() == maxChars) {
          tooLong = true;
          current.setLength(0);
        } else {
          current.append((char) c);
        }
      }
      c = in.read();
    }
    if (tooLong) {
      return new Line(null);
    }
    int end = current.length();
    if (end > 0 && current.charAt(end - 1) == '\r') {
      current.setLength(end - 1);
    }
    return new Line(current.toString());
  }
}
