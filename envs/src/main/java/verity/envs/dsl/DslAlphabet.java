package verity.envs.dsl;

import java.util.ArrayList;
import java.util.List;
import verity.envs.Vocabulary;

/**
 * The one-character symbols of the stack language and of its prompts, and the vocabulary they make:
 * digits {@code 0-9} (ids 3-12), then {@code x + - * d s p m a [ ]} (the other operations) and
 * {@code = ;} (used only in prompts, to write examples).
 */
final class DslAlphabet {
  static final String OPERATIONS = "0123456789x+-*dspma[]";
  static final char EQUALS = '=';
  static final char SEPARATOR = ';';

  static final Vocabulary VOCABULARY = vocabulary();

  private DslAlphabet() {}

  private static Vocabulary vocabulary() {
    List<String> symbols = new ArrayList<>();
    for (char c : (OPERATIONS + EQUALS + SEPARATOR).toCharArray()) {
      symbols.add(String.valueOf(c));
    }
    return new Vocabulary(symbols);
  }

  static boolean isOperation(char c) {
    return OPERATIONS.indexOf(c) >= 0;
  }
}
