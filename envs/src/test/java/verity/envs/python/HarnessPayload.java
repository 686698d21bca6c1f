package verity.envs.python;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verity.envs.CheckPlan;

/** Reads back the payload a harness program carries, as the supervisor would. */
final class HarnessPayload {
  private static final Pattern PAYLOAD = Pattern.compile("PAYLOAD = \"([A-Za-z0-9+/=]+)\"");

  private HarnessPayload() {}

  static Map<String, Object> of(CheckPlan.Program program) {
    Matcher m = PAYLOAD.matcher(program.source());
    if (!m.find()) {
      throw new AssertionError("no payload in the program");
    }
    try {
      return new ObjectMapper()
          .readValue(Base64.getDecoder().decode(m.group(1)), new TypeReference<>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
