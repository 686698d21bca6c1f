package verity.deploy.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.Main;
import verity.policy.transformer.LanguageModel;
import verity.policy.transformer.TransformerConfig;

class GenerateCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path model;

  private record Run(int code, String out, String err) {}

  @BeforeAll
  static void writeModel() throws Exception {
    model = dir.resolve("fresh");
    LanguageModel.writeFresh(
        model,
        TransformerConfig.builder(TransformerConfig.LLAMA)
            .vocabSize(260)
            .hiddenSize(32)
            .intermediateSize(64)
            .layers(2)
            .heads(4, 2)
            .specialTokens(-1, List.of(LanguageModel.FRESH_END_OF_TEXT))
            .build(),
        5);
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void shouldPrintOneJsonLinePerPromptWithIdsAndText() throws Exception {
    Run r =
        run(
            "generate",
            "--model",
            model.toString(),
            "--prompt",
            "12+34=",
            "--prompt",
            "7",
            "--max-new-tokens",
            "5");
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(2, lines.length);
    JsonNode first = JSON.readTree(lines[0]);
    assertEquals("[49,50,43,51,52,61]", first.get("prompt_ids").toString());
    assertTrue(first.get("completion_ids").size() >= 1 && first.get("completion_ids").size() <= 5);
    assertEquals(first.get("completion_ids").size(), first.get("log_probs").size());
    assertTrue(first.get("text").isTextual());
    assertEquals("[55]", JSON.readTree(lines[1]).get("prompt_ids").toString());
  }

  @Test
  void shouldRepeatASeededSampleAndDifferAcrossSeeds() throws Exception {
    String[] base = {
      "generate",
      "--model",
      model.toString(),
      "--prompt",
      "abc",
      "--max-new-tokens",
      "12",
      "--temperature",
      "1.5"
    };
    JsonNode a = JSON.readTree(run(concat(base, "--seed", "1")).out());
    JsonNode b = JSON.readTree(run(concat(base, "--seed", "1")).out());
    JsonNode c = JSON.readTree(run(concat(base, "--seed", "2")).out());
    assertEquals(a, b);
    assertNotEquals(a.get("completion_ids"), c.get("completion_ids"));
    for (JsonNode lp : a.get("log_probs")) {
      assertTrue(lp.asDouble() < 0, "a sampled token's log-prob is negative: " + lp);
    }
  }

  @Test
  void shouldNameTheFileOfABadModelDirectoryAndExitTwo() throws Exception {
    Path broken = dir.resolve("broken");
    Files.createDirectories(broken);
    for (String f : List.of("config.json", "tokenizer.json", "model.safetensors")) {
      Files.copy(model.resolve(f), broken.resolve(f));
    }
    byte[] weights = Files.readAllBytes(broken.resolve("model.safetensors"));
    weights[0] = (byte) 0xff;
    weights[7] = (byte) 0x7f;
    Files.write(broken.resolve("model.safetensors"), weights);
    Run r = run("generate", "--model", broken.toString(), "--prompt", "x");
    assertEquals(Main.USAGE_ERROR, r.code());
    assertTrue(
        r.err().contains(broken.resolve("model.safetensors") + ": corrupt safetensors header"),
        r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void shouldPutAPromptThroughTheChatTemplateUnlessToldNotTo() throws Exception {
    Path chat = dir.resolve("chat");
    Files.createDirectories(chat);
    for (String f : List.of("config.json", "tokenizer.json", "model.safetensors")) {
      Files.copy(model.resolve(f), chat.resolve(f));
    }
    Files.writeString(
        chat.resolve("tokenizer_config.json"),
        "{\"eos_token\": {\"content\": \"<|endoftext|>\"}, \"chat_template\":"
            + " \"{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}"
            + "{% if add_generation_prompt %}>{% endif %}{{ eos_token }}\"}");
    Run templated =
        run("generate", "--model", chat.toString(), "--prompt", "x", "--max-new-tokens", "1");
    assertEquals(0, templated.code(), templated.err());
    assertEquals(
        "[91,117,115,101,114,93,120,62,256]",
        JSON.readTree(templated.out()).get("prompt_ids").toString(),
        "[user]x> then <|endoftext|> (256)");
    Run plain =
        run(
            "generate",
            "--model",
            chat.toString(),
            "--prompt",
            "x",
            "--no-chat-template",
            "--max-new-tokens",
            "1");
    assertEquals(0, plain.code(), plain.err());
    assertEquals("[120]", JSON.readTree(plain.out()).get("prompt_ids").toString());
  }

  @Test
  void shouldGiveTheSameGreedyContinuationAfterExport() throws Exception {
    Path exported = dir.resolve("exported");
    try (LanguageModel lm = LanguageModel.load(model, ai.djl.Device.cpu())) {
      lm.export(exported, verity.policy.transformer.SafetensorsWriter.Dtype.F32);
    }
    for (String f :
        List.of(
            "config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
            "generation_config.json")) {
      assertTrue(Files.isRegularFile(exported.resolve(f)), f);
    }
    JsonNode a =
        JSON.readTree(run("generate", "--model", model.toString(), "--prompt", "hello").out());
    JsonNode b =
        JSON.readTree(run("generate", "--model", exported.toString(), "--prompt", "hello").out());
    assertEquals(a, b);
    assertArrayEquals(
        Files.readAllBytes(model.resolve("model.safetensors")),
        Files.readAllBytes(exported.resolve("model.safetensors")));
  }

  private static String[] concat(String[] base, String... more) {
    String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }
}
