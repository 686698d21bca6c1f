package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransformerConfigTest {
  @TempDir Path dir;

  /** The keys of Qwen2.5-0.5B's config.json that matter here, as Hugging Face ships them. */
  private static final String QWEN25 =
      """
      {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
       "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
       "num_attention_heads": 14, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
       "rope_theta": 1000000.0, "rope_scaling": null, "sliding_window": 32768,
       "use_sliding_window": false, "max_window_layers": 21, "tie_word_embeddings": true,
       "vocab_size": 151936, "max_position_embeddings": 32768, "bos_token_id": 151643,
       "eos_token_id": 151643, "torch_dtype": "bfloat16"}
      """;

  /** Llama-3.2-1B's keys: llama3 rotary scaling, tied embeddings, head_dim, a list of eos ids. */
  private static final String LLAMA32 =
      """
      {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
       "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
       "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
       "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "attention_bias": false, "mlp_bias": false,
       "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                        "original_max_position_embeddings": 8192, "rope_type": "llama3"},
       "tie_word_embeddings": true, "vocab_size": 128256, "max_position_embeddings": 131072,
       "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]}
      """;

  @Test
  void shouldReadQwen2WithItsBiasesAndTiedEmbeddings() throws IOException {
    TransformerConfig c = TransformerConfig.read(write(QWEN25));
    assertEquals(TransformerConfig.QWEN2, c.architecture());
    assertEquals(64, c.headDim());
    assertEquals(7, c.queriesPerKeyValue());
    assertTrue(c.qkvBias());
    assertFalse(c.outputBias());
    assertTrue(c.tieWordEmbeddings());
    assertEquals(List.of(151643), c.eosTokenIds());
  }

  @Test
  void shouldReadLlama32WithLlama3RotaryScaling() throws IOException {
    TransformerConfig c = TransformerConfig.read(write(LLAMA32));
    assertEquals(
        new TransformerConfig.RopeScaling("llama3", 32.0, 1.0, 4.0, 8192), c.ropeScaling());
    assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
    float[] inv = c.inverseFrequencies();
    float[] plain = new float[inv.length];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (float) (1.0 / Math.pow(500000.0, (float) (2 * i) / 64));
    }
    // High frequencies (wavelength under 8192 / 4 positions) are kept, low ones divided by 32.
    assertEquals(plain[0], inv[0]);
    assertEquals(plain[plain.length - 1] / 32, inv[inv.length - 1], 1e-12);
  }

  @Test
  void shouldRoundTripThroughItsJson() {
    TransformerConfig c =
        TransformerConfig.builder(TransformerConfig.LLAMA)
            .heads(4, 2)
            .attentionBias(true)
            .tieWordEmbeddings(true)
            .rope(1e6, new TransformerConfig.RopeScaling("llama3", 8, 1, 4, 1024))
            .specialTokens(1, List.of(2, 3))
            .build();
    assertEquals(c, TransformerConfig.fromJson(c.toJson()));
  }

  @Test
  void shouldRefuseAnArchitectureOutsideTheLlamaFamily() throws IOException {
    assertRefused(
        QWEN25.replace("Qwen2ForCausalLM", "GPT2LMHeadModel"),
        "architecture GPT2LMHeadModel is not supported");
  }

  @Test
  void shouldRefuseRotaryScalingItDoesNotImplement() throws IOException {
    assertRefused(
        LLAMA32.replace("\"llama3\"", "\"yarn\""), "rope_scaling type yarn is not supported");
  }

  @Test
  void shouldRefuseSlidingWindowAttention() throws IOException {
    assertRefused(
        QWEN25.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true"),
        "use_sliding_window true");
    String mistral =
        LLAMA32
            .replace("LlamaForCausalLM", "MistralForCausalLM")
            .replace("\"rope_scaling\"", "\"sliding_window\": 4096, \"rope_scaling\"");
    assertRefused(mistral, "sliding_window 4096 is not supported");
  }

  @Test
  void shouldRefuseAnotherActivationAndQuantizedWeights() throws IOException {
    assertRefused(QWEN25.replace("\"silu\"", "\"gelu\""), "hidden_act gelu is not supported");
    assertRefused(
        QWEN25.replace(
            "\"torch_dtype\"", "\"quantization_config\": {\"bits\": 4}, \"torch_dtype\""),
        "quantization_config");
  }

  @Test
  void shouldRefuseHeadsThatDoNotGroup() throws IOException {
    assertRefused(
        QWEN25.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"),
        "not a multiple of num_key_value_heads 3");
  }

  private void assertRefused(String json, String expected) throws IOException {
    Path file = write(json);
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> TransformerConfig.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private Path write(String json) throws IOException {
    Path file = Files.createTempFile(dir, "config", ".json");
    Files.writeString(file, json);
    return file;
  }
}
