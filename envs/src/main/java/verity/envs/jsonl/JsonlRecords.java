package verity.envs.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import verity.envs.MalformedTaskException;

/**
 * Reads JSONL: one JSON object per line, blank lines skipped. A line that is not a JSON object
 * fails with its line number and what is wrong, so a bad task file stops a run at start.
 */
public final class JsonlRecords {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  private JsonlRecords() {}

  /** One parsed line and where it came from. */
  public record Line(int number, Map<String, Object> record) {}

  public static List<Line> read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /** Reads a class-path resource shipped with a suite. */
  public static List<Line> readResource(String resource) {
    InputStream in = JsonlRecords.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("missing resource " + resource);
    }
    try (in) {
      return read(in, resource);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  static List<Line> read(InputStream in, String source) throws IOException {
    List<Line> out = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String text;
    int number = 0;
    while ((text = reader.readLine()) != null) {
      number++;
      if (text.isBlank()) {
        continue;
      }
      out.add(new Line(number, parse(text, source + ":" + number)));
    }
    return out;
  }

  /**
   * Parses one line as a JSON object.
   *
   * @throws MalformedTaskException naming {@code where} and what is wrong
   */
  public static Map<String, Object> parse(String line, String where) {
    try {
      Map<String, Object> record = JSON.readValue(line, OBJECT);
      if (record == null) {
        throw new MalformedTaskException(where + ": expected a JSON object, got null");
      }
      return record;
    } catch (JsonProcessingException e) {
      throw new MalformedTaskException(
          where + ": not a JSON object (" + e.getOriginalMessage() + ")");
    }
  }

  /** A required string field, or a clear error. */
  public static String string(Map<String, Object> record, String field, String where) {
    Object v = record.get(field);
    if (!(v instanceof String s)) {
      throw new MalformedTaskException(
          where + ": field \"" + field + "\" must be a string" + (v == null ? " (missing)" : ""));
    }
    return s;
  }
}
