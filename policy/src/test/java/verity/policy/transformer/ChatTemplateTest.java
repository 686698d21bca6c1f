package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat templates rendered by Verity (Jinjava) against Jinja2 itself in the environment Hugging Face
 * {@code transformers} sets up ({@code src/test/python/chat_template_reference.py}, Debian's {@code
 * python3-jinja2}): the same text for every template and conversation.
 */
class ChatTemplateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> SPECIAL =
      Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>");

  @TempDir Path dir;

  private static List<ChatTemplate.Message> conversation(String... roleThenContent) {
    List<ChatTemplate.Message> out = new ArrayList<>();
    for (int i = 0; i < roleThenContent.length; i += 2) {
      out.add(new ChatTemplate.Message(roleThenContent[i], roleThenContent[i + 1]));
    }
    return out;
  }

  private record Case(
      String template,
      List<ChatTemplate.Message> messages,
      boolean generation,
      List<Map<String, Object>> tools) {}

  @Test
  void shouldRenderAsJinja2DoesInTransformersEnvironment() throws Exception {
    List<Case> cases = new ArrayList<>();
    List<List<ChatTemplate.Message>> conversations =
        List.of(
            conversation("user", "What is 12+34?"),
            conversation(
                "system",
                "Answer with a number.",
                "user",
                "  7*6 = ?  \n",
                "assistant",
                "42",
                "user",
                "and 6*7?"),
            conversation("user", "Ünïcödé ✓ \"quoted\" \\ back\tslash"));
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("type", "function");
    Map<String, Object> function = new LinkedHashMap<>();
    function.put("name", "add");
    function.put("description", "Adds \"two\" numbers, ü");
    function.put("parameters", Map.of("required", List.of("a", "b")));
    tool.put("function", function);
    for (String template : List.of("chatml.jinja", "headers.jinja", "tools.jinja")) {
      String text = Files.readString(Path.of("src/test/resources/chat-templates", template));
      for (List<ChatTemplate.Message> messages : conversations) {
        for (boolean generation : List.of(true, false)) {
          cases.add(new Case(text, messages, generation, null));
        }
      }
      cases.add(new Case(text, conversations.get(1), true, List.of(tool)));
    }
    JsonNode reference = reference(cases);
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      String mine =
          new ChatTemplate(c.template(), SPECIAL).render(c.messages(), c.generation(), c.tools());
      assertEquals(reference.get(i).get("text").asText(), mine, "case " + i);
    }
  }

  @Test
  void shouldRaiseTheTemplatesOwnMessage() throws Exception {
    String text = Files.readString(Path.of("src/test/resources/chat-templates/headers.jinja"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ChatTemplate(text, SPECIAL).render(conversation("tool", "x"), true));
    assertTrue(e.getMessage().contains("Unknown role: tool"), e.getMessage());
  }

  private JsonNode reference(List<Case> cases) throws Exception {
    List<Map<String, Object>> json = new ArrayList<>();
    for (Case c : cases) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("template", c.template());
      List<Map<String, String>> messages = new ArrayList<>();
      c.messages().forEach(x -> messages.add(Map.of("role", x.role(), "content", x.content())));
      m.put("messages", messages);
      m.put("add_generation_prompt", c.generation());
      m.put("tools", c.tools());
      m.putAll(SPECIAL);
      json.add(m);
    }
    Path in = dir.resolve("cases.json");
    Path out = dir.resolve("rendered.json");
    Files.writeString(in, JSON.writeValueAsString(json));
    Process python =
        new ProcessBuilder(
                "/usr/bin/python3",
                "src/test/python/chat_template_reference.py",
                in.toString(),
                out.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(python.waitFor(2, TimeUnit.MINUTES));
    assertEquals(
        0,
        python.exitValue(),
        "the Jinja2 reference failed (it needs Debian's python3-jinja2, which .ci/run installs):\n"
            + output);
    return JSON.readTree(out.toFile());
  }
}
