package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.Main;

/** Bad starts fail at once with exit code 2 and one line that names the problem. */
public class CommandLineTest {
  @TempDir Path dir;

  public record Result(int code, String out, String err) {}

  public static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  public static void assertUsageError(Result r, String... mentions) {
    assertEquals(2, r.code(), "exit code; stderr: " + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    for (String m : mentions) {
      assertTrue(r.err().contains(m), "stderr should mention " + m + ": " + r.err());
    }
  }

  Path config(String text) throws IOException {
    Path f = dir.resolve("verity.conf");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void shouldRefuseAnUnknownSuite() {
    assertUsageError(run("dev", "--suite", "chess"), "unknown suite 'chess'", "arith");
  }

  @Test
  void shouldRefuseAFlagValueOfTheWrongType() {
    assertUsageError(run("dev", "--seed", "abc"), "--seed", "abc");
  }

  @Test
  void shouldRefuseAnOutOfRangeFlagNamingTheFlag() {
    assertUsageError(run("dev", "--max-steps", "-1"), "--max-steps", "verity.learner.max-steps");
    assertUsageError(run("dev", "--target-pass", "1.5"), "--target-pass");
  }

  @Test
  void shouldRefuseAnUnknownFlag() {
    assertUsageError(run("dev", "--max-stepz", "3"), "--max-stepz");
  }

  @Test
  void shouldRefuseAMisspeltConfigurationKey() throws IOException {
    Path f = config("verity.learner { batch-groupz = 3 }");
    assertUsageError(run("dev", "--config", f.toString()), "verity.learner.batch-groupz");
  }

  @Test
  void shouldRefuseABadConfigurationValueNamingTheKey() throws IOException {
    assertUsageError(
        run("dev", "--config", config("verity.learner.clip = 5").toString()),
        "verity.learner.clip");
    assertUsageError(
        run("dev", "--config", config("verity.learner.stale-handling = ignore").toString()),
        "verity.learner.stale-handling",
        "reject, down-weight");
    assertUsageError(
        run("dev", "--config", config("verity.policy.device = tpu").toString()),
        "verity.policy.device");
  }

  @Test
  void shouldRefuseADataDirWhoseJournalAnOlderVerityWrote() throws IOException {
    Path data = Files.createDirectories(dir.resolve("old-run"));
    Files.writeString(data.resolve("run.properties"), "suite=arith\n"); // no journal-format: 1
    assertUsageError(
        run("dev", "--suite", "arith", "--data-dir", data.toString()),
        "an older Verity wrote (format 1",
        "--fresh");
    assertUsageError(
        run("local", "--suite", "arith", "--data-dir", data.toString()),
        "an older Verity wrote (format 1");
  }

  @Test
  void shouldRefuseADataDirWithASemicolonBeforeCreatingIt() {
    Path data = dir.resolve("run;INIT=RUNSCRIPT FROM 'x.sql'");
    assertUsageError(run("dev", "--data-dir", data.toString()), "verity.data-dir", "';'");
    assertUsageError(run("local", "--data-dir", data.toString()), "verity.data-dir", "';'");
    assertFalse(Files.exists(data), "created " + data);
  }

  @Test
  void shouldRefuseAMissingConfigFile() {
    assertUsageError(run("dev", "--config", dir.resolve("nope.conf").toString()), "nope.conf");
  }

  @Test
  void shouldPrintHelp() {
    Result r = run("dev", "--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("--target-pass"), r.out());
  }
}
