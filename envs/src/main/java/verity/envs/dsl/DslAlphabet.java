package verity.envs.dsl;

import java.util.List;
import verity.envs.Alphabets;

/**
 * The one-character symbols of the stack language and of its prompts, in the order of the suite's
 * alphabet: digits {@code 0-9} (a character tokenizer's ids 3-12), then {@code x + - * d s p m a [
 * ]} (the other operations) and {@code = ;} (used only in prompts, to write examples).
 */
final class DslAlphabet {
  static final String OPERATIONS = "0123456789x+-*dspma[]";
  static final char EQUALS = '=';
  static final char SEPARATOR = ';';

  static final List<String> ALPHABET = Alphabets.of(OPERATIONS + EQUALS + SEPARATOR);

  private DslAlphabet() {}

  static boolean isOperation(char c) {
    return OPERATIONS.indexOf(c) >= 0;
  }
}
