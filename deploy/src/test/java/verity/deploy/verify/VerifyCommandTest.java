package verity.deploy.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.cli.CommandLineTest;
import verity.deploy.cli.CommandLineTest.Result;
import verity.envs.Suites;

/** {@code verity verify} end to end on temporary files, through {@link verity.deploy.Main#run}. */
class VerifyCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  Path input(String... lines) throws IOException {
    Path f = dir.resolve("in.jsonl");
    Files.write(f, List.of(lines));
    return f;
  }

  Result verify(String suite, Path in) {
    return verify(suite, in, out());
  }

  Result verify(String suite, Path in, Path output) {
    return CommandLineTest.run(
        "verify", "--suite", suite, "--input", in.toString(), "--output", output.toString());
  }

  Path out() {
    return dir.resolve("out.jsonl");
  }

  List<JsonNode> output() throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(out())) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  static void assertVerdict(JsonNode n, int line, String id, String verdict, double reward) {
    assertEquals(line, n.get("line").asInt(), n.toString());
    if (id == null) {
      assertTrue(n.get("id").isNull(), n.toString());
    } else {
      assertEquals(id, n.get("id").asText(), n.toString());
    }
    assertEquals(verdict, n.get("verdict").asText(), n.toString());
    assertEquals(reward, n.get("reward").asDouble(), n.toString());
    assertTrue(n.get("millis").isNumber(), n.toString());
  }

  @Test
  void shouldScoreArithmeticLinesInInputOrderWithPhysicalLineNumbers() throws IOException {
    Result r =
        verify(
            "arith",
            input(
                "{\"task\": {\"a\": 3, \"b\": 4}, \"completion\": \"7\"}",
                "{\"task\": {\"id\": \"2+2\"}, \"completion\": \"5\"}",
                "",
                "{\"task\": {\"a\": 1, \"b\": 1}, \"completion\": \"two\"}",
                "this is not json",
                "{\"task\": {\"a\": 30, \"b\": 4}, \"completion\": \"34\"}",
                "{\"task\": {\"a\": 1, \"b\": 2}, \"completion\": 3}",
                "{\"completion\": \"3\"}"));
    assertEquals(0, r.code(), r.err());
    List<JsonNode> out = output();
    assertEquals(7, out.size(), "the blank line has no record: " + out);
    assertVerdict(out.get(0), 1, "3+4", "correct", 1.0);
    assertVerdict(out.get(1), 2, "2+2", "wrong", 0.0);
    assertVerdict(out.get(2), 4, "1+1", "malformed", 0.0);
    assertTrue(out.get(2).get("reason").asText().contains("not a number"));
    assertVerdict(out.get(3), 5, null, "malformed", 0.0);
    assertTrue(out.get(3).get("reason").asText().startsWith("not a JSON object"));
    assertVerdict(out.get(4), 6, null, "malformed", 0.0);
    assertTrue(out.get(4).get("reason").asText().startsWith("task: "));
    assertVerdict(out.get(5), 7, "1+2", "malformed", 0.0);
    assertEquals("field \"completion\" must be a string", out.get(5).get("reason").asText());
    assertVerdict(out.get(6), 8, null, "malformed", 0.0);
    assertEquals(
        "field \"task\" must be a JSON object (missing)", out.get(6).get("reason").asText());
    assertTrue(
        r.out().contains("7 line(s)") && r.out().contains("1 correct, 1 wrong, 5 malformed"),
        r.out());
  }

  @Test
  void shouldScoreMathLinesWithTheReasonOfEachVerdict() throws IOException {
    Result r =
        verify(
            "math",
            input(
                "{\"task\": {\"id\": \"q1\", \"prompt\": \"3/4 as a decimal?\", \"answer\":"
                    + " \"0.75\"}, \"completion\": \"That is \\\\boxed{\\\\frac{3}{4}}\"}",
                "{\"task\": {\"id\": \"q2\", \"prompt\": \"Half of 1.4?\", \"answer\": \"0.7\"},"
                    + " \"completion\": \"#### 3/4\"}",
                "{\"task\": {\"id\": \"q3\", \"prompt\": \"2+2?\", \"answer\": 4},"
                    + " \"completion\": \"I do not know\"}",
                "{\"task\": {\"id\": \"q4\", \"prompt\": \"2+2?\"}, \"completion\": \"4\"}",
                "{\"task\": {\"id\": \"math-0001\"}, \"completion\": \"The answer is 63.\"}"));
    assertEquals(0, r.code(), r.err());
    List<JsonNode> out = output();
    assertVerdict(out.get(0), 1, "q1", "correct", 1.0);
    assertVerdict(out.get(1), 2, "q2", "wrong", 0.0);
    assertEquals("expected 0.7, got 3/4", out.get(1).get("reason").asText());
    assertVerdict(out.get(2), 3, "q3", "malformed", 0.0);
    assertEquals("no number in the completion", out.get(2).get("reason").asText());
    assertVerdict(out.get(3), 4, null, "malformed", 0.0);
    assertTrue(out.get(3).get("reason").asText().contains("\"answer\""));
    assertVerdict(out.get(4), 5, "math-0001", "correct", 1.0);
  }

  @Test
  void shouldKeepInputOrderWhenManyLinesAreCheckedAtOnce() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int a = i % 10;
      int b = (i / 10) % 10;
      lines.add(
          "{\"task\": {\"a\": " + a + ", \"b\": " + b + "}, \"completion\": \"" + (a + b) + "\"}");
    }
    Result r =
        CommandLineTest.run(
            "verify",
            "--suite",
            "arith",
            "--input",
            input(lines.toArray(String[]::new)).toString(),
            "--output",
            out().toString(),
            "--threads",
            "4");
    assertEquals(0, r.code(), r.err());
    List<JsonNode> out = output();
    assertEquals(300, out.size());
    for (int i = 0; i < 300; i++) {
      assertVerdict(out.get(i), i + 1, (i % 10) + "+" + ((i / 10) % 10), "correct", 1.0);
    }
  }

  @Test
  void shouldWriteAnEmptyOutputForAnInputOfBlankLines() throws IOException {
    Result r = verify("arith", input("", "   "));
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(), Files.readAllLines(out()));
  }

  @Test
  void shouldReplaceAnExistingOutputAndLeaveNoTemporaryFile() throws IOException {
    Files.writeString(out(), "old\n");
    Result r = verify("arith", input("{\"task\": {\"a\": 1, \"b\": 1}, \"completion\": \"2\"}"));
    assertEquals(0, r.code(), r.err());
    assertEquals(1, output().size());
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "only in.jsonl and out.jsonl");
    }
  }

  @Test
  void shouldGiveTheOutputThePermissionsOfAnyNewFile() throws IOException {
    Result r = verify("arith", input("{\"task\": {\"a\": 1, \"b\": 1}, \"completion\": \"2\"}"));
    assertEquals(0, r.code(), r.err());
    Path plain = Files.createFile(dir.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out()));
  }

  @Test
  void shouldRefuseAnUnknownSuite() throws IOException {
    Result r = verify("chess", input("{}"));
    CommandLineTest.assertUsageError(r, "unknown suite 'chess'", "arith", "math");
    assertFalse(Files.exists(out()));
  }

  @Test
  void shouldRefuseAMissingInputFile() {
    CommandLineTest.assertUsageError(
        verify("arith", dir.resolve("nope.jsonl")), "cannot read input", "nope.jsonl", "no such");
    assertFalse(Files.exists(out()));
  }

  @Test
  void shouldRefuseADirectoryAsInput() {
    CommandLineTest.assertUsageError(verify("arith", dir), "cannot read input", "directory");
  }

  @Test
  void shouldRefuseAnOutputItCannotWrite() throws IOException {
    Path in = input("{}");
    Path nowhere = dir.resolve("missing").resolve("out.jsonl");
    CommandLineTest.assertUsageError(
        verify("arith", in, nowhere), "cannot write output", "no such directory");
    CommandLineTest.assertUsageError(verify("arith", in, dir), "cannot write output", "directory");
  }

  @Test
  void shouldRefuseAnOutputThatIsNotARegularFileAndLeaveItAsItWas()
      throws IOException, InterruptedException {
    Path in = input("{}");
    Path fifo = dir.resolve("a-fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    Path target = Files.writeString(dir.resolve("target.txt"), "keep me");
    Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), target);
    for (Path notAFile : List.of(fifo, link)) {
      CommandLineTest.assertUsageError(
          verify("arith", in, notAFile), "cannot write output", "not a regular file");
    }
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("keep me", Files.readString(target));
    assertFalse(Files.isRegularFile(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void shouldRejectALineOverTheCapWithoutReadingItWholeAndScoreTheRest() throws IOException {
    StringBuilder huge = new StringBuilder("{\"task\": {\"a\": 1, \"b\": 2}, \"completion\": \"");
    huge.append("3".repeat(VerifyCommand.MAX_LINE_CHARS + 10)).append("\"}");
    Path in =
        input(
            "{\"task\": {\"a\": 1, \"b\": 2}, \"completion\": \"3\"}",
            huge.toString(),
            "{\"task\": {\"a\": 2, \"b\": 2}, \"completion\": \"4\"}");
    assertEquals(0, verify("arith", in).code());
    List<JsonNode> lines = output();
    assertEquals(3, lines.size(), lines.toString());
    assertEquals("correct", lines.get(0).get("verdict").asText());
    assertEquals(2, lines.get(1).get("line").asInt());
    assertEquals("malformed", lines.get(1).get("verdict").asText());
    assertTrue(
        lines.get(1).get("reason").asText().contains("longer than"), lines.get(1).toString());
    assertEquals(3, lines.get(2).get("line").asInt());
    assertEquals("correct", lines.get(2).get("verdict").asText());
  }

  @Test
  void shouldReportAMissingInputBeforeProbingTheSandbox() {
    // A sandbox that cannot start: before the fix, its refusal hid the missing input.
    System.setProperty("verity.reward.sandbox.bwrap", "/nonexistent/bwrap");
    ConfigFactory.invalidateCaches();
    try {
      CommandLineTest.assertUsageError(
          verify("python-code", dir.resolve("nope.jsonl")), "cannot read input", "no such");
    } finally {
      System.clearProperty("verity.reward.sandbox.bwrap");
      ConfigFactory.invalidateCaches();
    }
  }

  @Test
  void shouldRefuseMissingOptionsAndBadValues() throws IOException {
    Path in = input("{}");
    CommandLineTest.assertUsageError(
        CommandLineTest.run("verify", "--suite", "arith", "--input", in.toString()), "--output");
    CommandLineTest.assertUsageError(
        CommandLineTest.run(
            "verify",
            "--suite",
            "arith",
            "--input",
            in.toString(),
            "--output",
            out().toString(),
            "--threads",
            "0"),
        "--threads");
    CommandLineTest.assertUsageError(
        CommandLineTest.run(
            "verify",
            "--suite",
            "arith",
            "--input",
            in.toString(),
            "--output",
            out().toString(),
            "--timeout",
            "-1"),
        "--timeout");
  }

  @Test
  void shouldListTheSuitesInTheHelp() {
    Result r = CommandLineTest.run("verify", "--help");
    assertEquals(0, r.code());
    // The help wraps lines, so the list is checked name by name.
    for (String suite : Suites.names()) {
      assertTrue(r.out().contains(suite), suite + " in " + r.out());
    }
  }

  @Test
  void shouldRunPythonCompletionsInTheSandboxAndTrustOnlyTheTests() throws IOException {
    String task =
        "{\"id\": \"add-two\", \"prompt\": \"add\", \"tests\": [\"assert add_two(1, 2) == 3\","
            + " \"assert add_two(-4, 4) == 0\"]}";
    Result r =
        verify(
            "python-code",
            input(
                "{\"task\": "
                    + task
                    + ", \"completion\": \"def add_two(a, b):\\n    return a + b\\n\"}",
                "{\"task\": "
                    + task
                    + ", \"completion\": \"def add_two(a, b):\\n    return a - b\\n\"}",
                "{\"task\": "
                    + task
                    + ", \"completion\": \"import os\\nprint('passed')\\nos._exit(0)\\n\"}",
                "{\"task\": " + task + ", \"completion\": \"while True:\\n    pass\\n\"}"));
    assertEquals(0, r.code(), r.err());
    List<JsonNode> out = output();
    assertEquals(4, out.size(), out.toString());
    assertVerdict(out.get(0), 1, "add-two", "correct", 1.0);
    assertVerdict(out.get(1), 2, "add-two", "wrong", 0.0);
    assertNotEquals("correct", out.get(2).get("verdict").asText(), out.get(2).toString());
    assertVerdict(out.get(3), 4, "add-two", "timeout", 0.0);
  }
}
