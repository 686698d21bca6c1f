package verity.deploy.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import verity.deploy.Main;
import verity.envs.Outcome;
import verity.envs.Suite;
import verity.envs.Suites;
import verity.reward.PlanExecutor;
import verity.reward.ProgramRunner;

/**
 * {@code verity verify}: scores a JSONL file of completions offline with the verifier code the
 * cluster uses. The output is written to a temporary file beside it and moved into place at the
 * end, so a file at the output path is always complete.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Score completions offline: each input line is {\"task\": {...}, \"completion\": \"...\"};",
      "each output line is {\"line\", \"id\", \"verdict\", \"reward\", \"reason\", \"millis\"}.",
      "Blank input lines are skipped; line numbers are those of the input file."
    })
public final class VerifyCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The longest input line read; a longer one is skipped unread and its record says so. */
  static final int MAX_LINE_CHARS = 4 * 1024 * 1024;

  @Spec CommandSpec spec;

  /** The registered suites, for the help text. */
  static final class SuiteNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Suites.names().iterator();
    }
  }

  @Option(
      names = "--suite",
      required = true,
      paramLabel = "NAME",
      completionCandidates = SuiteNames.class,
      description = "The suite whose check scores the lines: ${COMPLETION-CANDIDATES}.")
  String suite;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "IN.jsonl",
      description = "Completions to score.")
  Path input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "OUT.jsonl",
      description = "Where the verdicts go (replaced when done).")
  Path output;

  @Option(
      names = "--threads",
      defaultValue = "2",
      paramLabel = "N",
      description = "Checks run at once (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--timeout",
      defaultValue = "30",
      paramLabel = "SECONDS",
      description =
          "Deadline of one check; past it the verdict is timeout (default ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Suite s;
    PlanExecutor executor;
    Path temp;
    try {
      checkRange();
      s = Suites.byName(suite);
      checkInput(); // before the sandbox's probe, whose refusal would hide it
      executor = PlanExecutor.forSuite(s, ConfigFactory.load());
      temp = temporaryOutput();
    } catch (IllegalArgumentException e) {
      err.println("verity verify: " + e.getMessage());
      return Main.USAGE_ERROR;
    } catch (ProgramRunner.SandboxUnavailableException e) {
      err.println("verity verify: suite " + suite + " refused: " + e.getMessage());
      return 1;
    }
    Map<String, Integer> counts = new HashMap<>();
    try {
      int lines = score(s, executor, temp, counts);
      Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      out.println(summary(lines, counts));
      return 0;
    } catch (IOException | UncheckedIOException | ProgramRunner.SandboxUnavailableException e) {
      err.println("verity verify: stopped, no output written: " + e.getMessage());
      return 1;
    } finally {
      deleteQuietly(temp);
    }
  }

  private void checkRange() {
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("--threads must be in 1..64, got " + threads);
    }
    if (!(timeoutSeconds > 0 && timeoutSeconds <= 86_400)) {
      throw new IllegalArgumentException(
          "--timeout must be above 0 and at most 86400 seconds, got " + timeoutSeconds);
    }
  }

  private void checkInput() {
    String problem =
        !Files.exists(input)
            ? "no such file"
            : Files.isDirectory(input)
                ? "it is a directory"
                : !Files.isReadable(input) ? "permission denied" : null;
    if (problem != null) {
      throw new IllegalArgumentException("cannot read input '" + input + "': " + problem);
    }
  }

  /** Creates the file the output is written to before it is moved to {@code output}. */
  private Path temporaryOutput() {
    Path target = output.toAbsolutePath();
    if (Files.isDirectory(target)) {
      throw new IllegalArgumentException("cannot write output '" + output + "': it is a directory");
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
      // The output is moved over the path at the end: a link, a device or a pipe would be replaced.
      throw new IllegalArgumentException(
          "cannot write output '"
              + output
              + "': it is not a regular file (a link, a device or a pipe); name a regular file or"
              + " a new path");
    }
    try {
      // Not createTempFile: its owner-only permissions would carry over to the output.
      return Files.createFile(
          target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp"));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write output '" + output + "': " + describe(e), e);
    }
  }

  private int score(Suite s, PlanExecutor executor, Path temp, Map<String, Integer> counts)
      throws IOException {
    int scored = 0;
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Files.newInputStream(input), StandardCharsets.UTF_8));
        Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
        OrderedVerifier verifier =
            new OrderedVerifier(
                threads,
                Duration.ofNanos(Math.round(timeoutSeconds * 1e9)),
                c -> executor.execute(s.plan(c.task(), c.completion())),
                r -> {
                  write(w, r);
                  counts.merge(r.verdict(), 1, Integer::sum);
                })) {
      BoundedLines lines = new BoundedLines(in, MAX_LINE_CHARS);
      BoundedLines.Line line;
      int number = 0;
      while ((line = lines.next()) != null) {
        number++;
        if (line.tooLong()) {
          verifier.submit(
              new VerifyInput.Rejected(
                  number, null, "the line is longer than " + MAX_LINE_CHARS + " characters"));
        } else if (line.text().isBlank()) {
          continue;
        } else {
          verifier.submit(VerifyInput.read(number, line.text(), s));
        }
        scored++;
      }
      verifier.finish();
    }
    return scored;
  }

  private static void write(Writer w, VerifyResult r) {
    try {
      w.write(JSON.writeValueAsString(r));
      w.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String summary(int lines, Map<String, Integer> counts) {
    StringJoiner by = new StringJoiner(", ");
    for (Outcome o : Outcome.values()) {
      if (counts.containsKey(o.label())) {
        by.add(counts.get(o.label()) + " " + o.label());
      }
    }
    return String.format(
        Locale.ROOT,
        "verity verify: %d line(s) of %s scored into %s%s",
        lines,
        input,
        output,
        lines == 0 ? "" : ": " + by);
  }

  private static String describe(IOException e) {
    String kind =
        e instanceof NoSuchFileException
            ? "no such directory"
            : e instanceof AccessDeniedException ? "permission denied" : null;
    return kind != null ? kind : e.toString();
  }

  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // Only a leftover hidden temporary file; the result of the run stands.
    }
  }
}
