package verity.policy.transformer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json}'s {@code chat_template}, Jinja)
 * rendered with HubSpot's Jinjava in the environment {@code transformers} gives it: blocks trimmed
 * and left-stripped, {@code raise_exception} and a {@code tojson} that writes what Python's {@code
 * json.dumps(..., ensure_ascii=False)} writes. A template that uses Python string methods Java
 * lacks fails with the template's error rather than rendering something else.
 */
public final class ChatTemplate {
  /** One turn of a conversation. */
  public record Message(String role, String content) {}

  private final String template;
  private final Map<String, Object> specialTokens;
  private final Jinjava jinjava;

  public ChatTemplate(String template, Map<String, String> specialTokens) {
    this.template = template;
    this.specialTokens = Map.copyOf(specialTokens);
    // Jinja2's behaviour where Jinjava's defaults differ: {{- -}} trims, operators bind as in
    // Python, dicts iterate over their keys, values render as Python writes them.
    LegacyOverrides asJinja2 =
        LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withUseNaturalOperatorPrecedence(true)
            .withIterateOverMapKeys(true)
            .withUsePyishObjectMapper(true)
            .withKeepNullableLoopValues(true)
            .build();
    this.jinjava =
        new Jinjava(
            JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(asJinja2)
                .build());
    jinjava.registerFunction(
        new ELFunctionDefinition(
            "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    jinjava.registerFilter(new PythonJson());
  }

  /**
   * The prompt text of a conversation, ending with the assistant's header when {@code
   * addGenerationPrompt}.
   *
   * @throws IllegalArgumentException with the template's own message when it refuses the
   *     conversation ({@code raise_exception}) or cannot be rendered
   */
  public String render(List<Message> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, null);
  }

  /**
   * As {@link #render(List, boolean)}, with tool descriptions (JSON-like maps and lists) for the
   * templates that list them; {@code null} leaves {@code tools} undefined.
   */
  public String render(
      List<Message> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
    List<Map<String, Object>> turns = new ArrayList<>();
    for (Message m : messages) {
      Map<String, Object> turn = new LinkedHashMap<>();
      turn.put("role", m.role());
      turn.put("content", m.content());
      turns.add(turn);
    }
    Map<String, Object> context = new HashMap<>(specialTokens);
    context.put("messages", turns);
    context.put("add_generation_prompt", addGenerationPrompt);
    if (tools != null) {
      context.put("tools", tools);
    }
    RenderResult result = jinjava.renderForResult(template, context);
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new IllegalArgumentException("chat template: " + message(error));
      }
    }
    return result.getOutput();
  }

  private static String message(TemplateError error) {
    Throwable cause = error.getException();
    while (cause != null) {
      if (cause instanceof TemplateRaised raised) {
        return raised.getMessage();
      }
      cause = cause.getCause();
    }
    return error.getMessage() + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "");
  }

  /** {@code raise_exception(message)}, as {@code transformers} defines it for templates. */
  public static String raiseException(String message) {
    throw new TemplateRaised(message);
  }

  private static final class TemplateRaised extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateRaised(String message) {
      super(message);
    }
  }

  /**
   * {@code tojson}: Python's {@code json.dumps(value, ensure_ascii=False)} separators and escapes.
   */
  private static final class PythonJson implements Filter {
    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
      StringBuilder out = new StringBuilder();
      write(value, out);
      return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
      if (value == null) {
        out.append("null");
      } else if (value instanceof Map<?, ?> map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          out.append(first ? "" : ", ");
          first = false;
          string(String.valueOf(e.getKey()), out);
          out.append(": ");
          write(e.getValue(), out);
        }
        out.append('}');
      } else if (value instanceof Iterable<?> list) {
        out.append('[');
        boolean first = true;
        for (Object item : list) {
          out.append(first ? "" : ", ");
          first = false;
          write(item, out);
        }
        out.append(']');
      } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
        out.append(value);
      } else if (value instanceof Number n) {
        double d = n.doubleValue();
        out.append(
            d == Math.rint(d) && Math.abs(d) < 1e16
                ? String.format("%.1f", d)
                : Double.toString(d));
      } else {
        string(value.toString(), out);
      }
    }

    private static void string(String s, StringBuilder out) {
      out.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          case '\b' -> out.append("\\b");
          case '\f' -> out.append("\\f");
          default -> {
            if (c < 0x20) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
  }
}
