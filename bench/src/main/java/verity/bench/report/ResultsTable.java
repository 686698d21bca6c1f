package verity.bench.report;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The Markdown results file: one table row per figure, then the commands that reproduce it. */
public final class ResultsTable {
  private ResultsTable() {}

  /** The Markdown of a run. */
  public static String markdown(
      List<Figure> figures,
      boolean quick,
      String machine,
      Instant started,
      Duration took,
      String commit) {
    StringBuilder md = new StringBuilder();
    md.append("# Verity benchmarks (").append(quick ? "quick" : "full").append(" run)\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Run %s, %d min %d s, commit `%s`, on %s. Every ratio is the figure ÷ its baseline, both"
                + " measured in this run; a figure over seeds gives the mean and its 95 %% interval (Student's t), and"
                + " counts as met only when the whole interval clears the target. Reproduce with `bin/verity bench%s`.%n%n",
            started.toString().replaceFirst("\\.\\d+Z$", "Z"),
            took.toMinutes(),
            took.toSecondsPart(),
            commit,
            machine,
            quick ? " --quick" : ""));
    md.append("| figure | value | baseline | ratio | target | machine |\n");
    md.append("| --- | --- | --- | ---: | --- | --- |\n");
    for (Figure f : figures) {
      md.append("| ")
          .append(cell(f.name()))
          .append(" | ")
          .append(cell(f.value()))
          .append(" | ")
          .append(cell(f.baseline()))
          .append(" | ")
          .append(f.ratioText())
          .append(" | ")
          .append(cell(targetCell(f)))
          .append(" | ")
          .append(cell(machine))
          .append(" |\n");
    }
    return md.toString();
  }

  private static String targetCell(Figure f) {
    return switch (f.verdict()) {
      case MET -> f.target() + " met";
      case MISSED -> f.target() + " **missed**";
      case NOT_SHOWN ->
          f.target()
              + " **not shown** ("
              + (f.interval() != null && f.interval().n() < 2
                  ? "one seed: no interval"
                  : "the 95 % interval straddles it")
              + ")";
      case FAILED -> "**failed**";
      case NO_TARGET -> "";
    };
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
