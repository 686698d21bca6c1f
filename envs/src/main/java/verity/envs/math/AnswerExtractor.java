package verity.envs.math;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the final answer in a completion. The first rule that applies decides: the rest of the line
 * after the last {@code ####}; the contents of the last {@code \boxed{...}} (nested braces
 * allowed); the rest of the sentence after the last "the answer is" (any case, also "the final
 * answer is"); otherwise the last number in the text, with its sign, fraction bar or percent sign.
 */
final class AnswerExtractor {

  /** Where an answer was found, and the text found there (still to be read as a number). */
  record Extracted(String text, String rule) {}

  private static final String HASHES = "####";
  private static final String BOXED = "\\boxed{";
  private static final Pattern ANSWER_IS =
      Pattern.compile("(?i)\\bthe\\s+(?:final\\s+)?answer\\s+is\\b\\s*:?");

  /** A sentence ends at a full stop (not a decimal point), or a clause at a comma and a space. */
  private static final Pattern SENTENCE_END = Pattern.compile("[.!?;](?=\\s|$)|,\\s");

  /**
   * A number in running text. It does not start inside a word or after a decimal point, so {@code
   * x2} and the {@code 5} of {@code 1.5} are not numbers; a sign counts only where it cannot be a
   * minus between two terms; {@code 1,234} is one number but {@code 1,2} is two.
   */
  private static final Pattern NUMBER =
      Pattern.compile(
          "(?:(?<![\\w)])[-+])?\\\\[dt]?frac\\{[^{}]*}\\{[^{}]*}"
              + "|(?<![\\w.)])[-+]?\\$?(?<![\\w.])"
              + "(?:(?:\\d{1,3}(?:,\\d{3})+(?!\\d)|\\d+)(?:\\.\\d+)?|\\.\\d+)"
              + "(?:\\s*/\\s*\\d+(?:\\.\\d+)?)?(?:\\s*%)?");

  private AnswerExtractor() {}

  /**
   * The answer text and the rule that found it; empty when the completion has no marker and no
   * number at all.
   *
   * @throws IllegalArgumentException when a marker is there but broken (an unclosed box)
   */
  static Optional<Extracted> extract(String completion) {
    int hashes = completion.lastIndexOf(HASHES);
    if (hashes >= 0) {
      return Optional.of(new Extracted(restOfLine(completion, hashes + HASHES.length()), HASHES));
    }
    int boxed = completion.lastIndexOf(BOXED);
    if (boxed >= 0) {
      return Optional.of(new Extracted(boxContents(completion, boxed + BOXED.length()), "\\boxed"));
    }
    Matcher answerIs = ANSWER_IS.matcher(completion);
    int end = -1;
    while (answerIs.find()) {
      end = answerIs.end();
    }
    if (end >= 0) {
      String sentence = restOfLine(completion, end);
      Matcher stop = SENTENCE_END.matcher(sentence);
      if (stop.find()) {
        sentence = sentence.substring(0, stop.start());
      }
      return Optional.of(new Extracted(sentence.strip(), "the answer is"));
    }
    Matcher number = NUMBER.matcher(completion);
    String last = null;
    while (number.find()) {
      last = number.group();
    }
    return Optional.ofNullable(last).map(n -> new Extracted(n, "last number"));
  }

  private static String restOfLine(String text, int from) {
    int newline = text.indexOf('\n', from);
    return text.substring(from, newline < 0 ? text.length() : newline).strip();
  }

  private static String boxContents(String text, int from) {
    int depth = 1;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return text.substring(from, i).strip();
      }
    }
    throw new IllegalArgumentException("\\boxed{ is never closed");
  }
}
