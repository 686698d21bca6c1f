package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {
  @TempDir Path dir;

  @Test
  void shouldMapBytesAsGpt2Does() {
    assertEquals('Ġ', ByteLevelTokenizer.byteToChar(' '));
    assertEquals('Ċ', ByteLevelTokenizer.byteToChar('\n'));
    assertEquals('Ā', ByteLevelTokenizer.byteToChar(0));
    assertEquals('a', ByteLevelTokenizer.byteToChar('a'));
    assertEquals('Ń', ByteLevelTokenizer.byteToChar(0xad));
  }

  @Test
  void shouldEncodeEveryByteAsItsOwnIdAndRoundTripAnyText() throws Exception {
    ByteLevelTokenizer.write(dir, List.of(ByteLevelTokenizer.END_OF_TEXT));
    try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
      assertArrayEquals(new int[] {'1', '2', '+', '3', '4', '='}, tokenizer.encode("12+34=", true));
      // Every code point up to U+07FF and a few longer ones: every byte valid UTF-8 can hold.
      StringBuilder all = new StringBuilder();
      for (int c = 1; c < 0x800; c++) {
        all.appendCodePoint(c);
      }
      all.append("✓ 中文 €")
          .appendCodePoint(0x1F600)
          .appendCodePoint(0xFFFD)
          .appendCodePoint(0x10FFFF);
      String text = all.toString();
      int[] ids = tokenizer.encode(text, true);
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      assertEquals(utf8.length, ids.length);
      for (int i = 0; i < utf8.length; i++) {
        assertEquals(utf8[i] & 0xff, ids[i]);
      }
      assertEquals(text, tokenizer.decode(ids, true));
      assertEquals(257, tokenizer.vocabSize());
    }
  }

  @Test
  void shouldKeepSpecialTokensWholeAndDropThemWhenAsked() throws Exception {
    ByteLevelTokenizer.write(dir, List.of(ByteLevelTokenizer.END_OF_TEXT, "<|pad|>"));
    try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
      assertEquals(256, tokenizer.addedTokenId(ByteLevelTokenizer.END_OF_TEXT).getAsInt());
      assertEquals(257, tokenizer.addedTokenId("<|pad|>").getAsInt());
      int[] ids = tokenizer.encode("7<|endoftext|>", true);
      assertArrayEquals(new int[] {'7', 256}, ids);
      assertEquals("7", tokenizer.decode(ids, true));
      assertEquals("7<|endoftext|>", tokenizer.decode(ids, false));
    }
  }

  @Test
  void shouldNameAMissingOrCorruptTokenizer() throws Exception {
    CheckpointException missing =
        assertThrows(CheckpointException.class, () -> TextTokenizer.load(dir));
    assertTrue(
        missing.getMessage().startsWith(dir.resolve("tokenizer.json").toString()),
        missing.getMessage());
    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": ");
    CheckpointException corrupt =
        assertThrows(CheckpointException.class, () -> TextTokenizer.load(dir));
    assertTrue(corrupt.getMessage().contains("not a tokenizer"), corrupt.getMessage());
  }
}
