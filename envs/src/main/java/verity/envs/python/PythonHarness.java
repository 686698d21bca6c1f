package verity.envs.python;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the program that tests a candidate: the supervisor script with the candidate's code, the
 * tests, the candidate-side runner and the run's nonce embedded as one base64 payload (so no
 * quoting of the candidate's text can break out of it). The scripts are class-path resources.
 */
final class PythonHarness {
  static final String RESOURCES = "verity/suites/python-code/";
  static final String REPORT_PREFIX = "VERITY-PYTHON-REPORT";
  private static final String PLACEHOLDER = "@PAYLOAD@";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String supervisor;
  private final String candidateRunner;

  PythonHarness() {
    this.supervisor = resource("supervisor.py");
    this.candidateRunner = resource("candidate.py");
    if (!supervisor.contains(PLACEHOLDER)) {
      throw new IllegalStateException(RESOURCES + "supervisor.py lacks " + PLACEHOLDER);
    }
  }

  /** The whole program for one run: candidate code first, then each test in its namespace. */
  String program(String candidate, List<String> tests, String nonce) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("nonce", nonce);
    payload.put("candidate", candidate);
    payload.put("tests", tests);
    payload.put("child", candidateRunner);
    try {
      byte[] json = JSON.writeValueAsBytes(payload);
      return supervisor.replace(PLACEHOLDER, Base64.getEncoder().encodeToString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the harness payload", e);
    }
  }

  private static String resource(String name) {
    try (InputStream in =
        PythonHarness.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCES + name, e);
    }
  }
}
