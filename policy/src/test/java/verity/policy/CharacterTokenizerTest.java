package verity.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.policy.transformer.TextTokenizer;

class CharacterTokenizerTest {
  static final List<String> ALPHABET =
      List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=", " ", "é");

  final CharacterTokenizer tokenizer = new CharacterTokenizer(ALPHABET);

  @TempDir Path dir;

  @Test
  void shouldGiveTheSpecialTokensTheFirstIdsAndTheAlphabetTheRestInOrder() {
    assertEquals(17, tokenizer.vocabSize());
    assertEquals(0, tokenizer.padToken());
    assertEquals(1, tokenizer.bosToken());
    assertEquals(2, tokenizer.eosToken());
    assertArrayEquals(new int[] {6, 13, 7, 14}, tokenizer.encode("3+4="));
    assertArrayEquals(tokenizer.encode("3+4="), tokenizer.promptIds("3+4="));
    assertEquals(ALPHABET, tokenizer.alphabet());
  }

  @Test
  void shouldDecodeUpToEndOfSequenceLeavingOutSpecialTokens() {
    assertEquals("17", tokenizer.decode(new int[] {4, 10, 2, 5}));
    assertEquals("17", tokenizer.decode(new int[] {0, 1, 4, 10, 99}));
    assertEquals("", tokenizer.decode(new int[] {2, 4}));
  }

  @Test
  void shouldRefuseACharacterOutsideTheAlphabetNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("3-4"));
    assertTrue(e.getMessage().contains("U+002D at position 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("<eos>"));
  }

  @Test
  void shouldRefuseAnAlphabetOfOtherThanSingleUniqueCharacters() {
    assertThrows(IllegalArgumentException.class, () -> new CharacterTokenizer(List.of("ab")));
    assertThrows(IllegalArgumentException.class, () -> new CharacterTokenizer(List.of("a", "a")));
  }

  @Test
  void shouldWriteATokenizerJsonThatHuggingFaceTokenizersReadsWithTheSameIds() throws Exception {
    tokenizer.write(dir);
    try (TextTokenizer loaded = TextTokenizer.load(dir)) {
      assertEquals(tokenizer.vocabSize(), loaded.vocabSize());
      for (String text : List.of("3+4=", "12 + 9 = 21", "é9", "")) {
        assertArrayEquals(tokenizer.encode(text), loaded.encode(text, false), text);
        int[] withBos = loaded.encode(text, true);
        assertEquals(tokenizer.bosToken(), withBos[0], "the post-processor puts <bos> first");
        assertArrayEquals(
            tokenizer.encode(text), java.util.Arrays.copyOfRange(withBos, 1, withBos.length));
        assertEquals(text, loaded.decode(tokenizer.encode(text), true), text);
      }
      assertEquals("17", loaded.decode(new int[] {1, 4, 10}, true));
    }
  }
}
