package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageModelTest {
  private static final TransformerConfig FRESH =
      TransformerConfig.builder(TransformerConfig.LLAMA)
          .vocabSize(260)
          .hiddenSize(32)
          .intermediateSize(64)
          .layers(1)
          .heads(4, 2)
          .specialTokens(-1, List.of(LanguageModel.FRESH_END_OF_TEXT))
          .build();

  @TempDir Path dir;

  @Test
  void shouldRefuseATokenizerLargerThanTheEmbedding() throws Exception {
    LanguageModel.writeFresh(dir, FRESH, 1);
    List<String> specials = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      specials.add("<|special_" + i + "|>");
    }
    ByteLevelTokenizer.write(dir, specials); // 266 ids for an embedding of 260
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> LanguageModel.load(dir, Device.cpu()));
    assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer.json").toString()), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains("vocabulary of 266 tokens is larger than the model's embedding of 260"),
        e.getMessage());
  }

  @Test
  void shouldRefuseAFreshModelWhoseVocabularyCannotHoldTheBytes() {
    TransformerConfig small =
        TransformerConfig.builder(TransformerConfig.LLAMA)
            .vocabSize(200)
            .specialTokens(-1, List.of(LanguageModel.FRESH_END_OF_TEXT))
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LanguageModel.writeFresh(dir, small, 1));
    assertTrue(e.getMessage().contains("vocab_size must be at least 257"), e.getMessage());
  }

  @Test
  void shouldPassTheSpecialTokensOfTokenizerConfigToTheChatTemplate() throws Exception {
    LanguageModel.writeFresh(dir, FRESH, 1);
    Files.writeString(
        dir.resolve(LanguageModel.TOKENIZER_CONFIG),
        "{\"bos_token\": \"<s>\", \"eos_token\": {\"content\": \"<|endoftext|>\"},"
            + " \"chat_template\": \"{{ bos_token }}{% for m in messages %}{{ m['content'] }}"
            + "{{ eos_token }}{% endfor %}\"}");
    try (LanguageModel lm = LanguageModel.load(dir, Device.cpu())) {
      assertEquals(
          "<s>hi<|endoftext|>",
          lm.chatTemplate()
              .orElseThrow()
              .render(List.of(new ChatTemplate.Message("user", "hi")), false));
      assertArrayEquals(new int[] {'<', 's', '>', 'h', 'i', 256}, lm.promptIds("hi", true));
      assertArrayEquals(new int[] {'h', 'i'}, lm.promptIds("hi", false));
    }
  }
}
