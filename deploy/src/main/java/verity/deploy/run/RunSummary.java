package verity.deploy.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import verity.deploy.audit.LedgerAudit;

/**
 * What {@code --summary FILE} writes at the end of a run, as JSON. {@code initialPass} and {@code
 * finalPass} are greedy pass@1 on the suite's {@code finalSplit}: {@code test}, or {@code train}
 * for a suite that holds nothing out (a training-set score); NaN when there was none (a run
 * interrupted has no final evaluation). {@code curve} is the periodic evaluation on {@code
 * curveSplit}: {@code validation} (what {@code --target-pass} watches), or {@code train} likewise.
 * {@code resumedFromVersion} is the checkpoint's version a restarted run continued from, null for a
 * fresh run.
 */
public record RunSummary(
    String suite,
    long seed,
    long steps,
    long policyVersion,
    double initialPass,
    double finalPass,
    String finalSplit,
    double wallSeconds,
    double tokensPerSecond,
    double trajectoriesPerSecond,
    int warmStartSteps,
    String stopReason,
    Long resumedFromVersion,
    Trajectories trajectories,
    LedgerAudit.Result ledger,
    List<NodeReport> nodes,
    String curveSplit,
    List<CurvePoint> curve) {

  /**
   * Counts of the run: generated and scored from the workers' and verifiers' reports, consumed and
   * rejected from the learner; {@code lost}, {@code duplicates} and {@code leasesExpired} from the
   * audit of the journal at the end ({@link LedgerAudit}, in full under {@code ledger}): leases
   * whose trajectories vanished without being trained on, rejected or handed out again; leases
   * trained on by two surviving steps (or trained and handed out again); leases trained after the
   * task source had closed them ({@code consumedAfterClose}); leases that expired (their worker or
   * verifier died, or was too slow) and whose tasks were handed out again.
   */
  public record Trajectories(
      long generated,
      long scored,
      long consumed,
      long rejectedStale,
      long lost,
      long duplicates,
      long consumedAfterClose,
      long leasesExpired) {}

  /**
   * One node's share of the run, from the reports of its workers and verifiers; {@code exitCode} is
   * the node process's exit code under {@code verity local} (null for the dev cluster, or a node
   * still running).
   */
  public record NodeReport(
      String node,
      long trajectoriesGenerated,
      long tokensGenerated,
      long trajectoriesScored,
      Integer exitCode) {}

  /** This summary with each node's exit code, nodes that reported nothing included. */
  public RunSummary withNodeExits(Map<String, Integer> exits) {
    Map<String, NodeReport> byName = new TreeMap<>();
    for (NodeReport n : nodes) {
      byName.put(n.node(), n);
    }
    exits.forEach(
        (name, code) -> {
          NodeReport n = byName.getOrDefault(name, new NodeReport(name, 0, 0, 0, null));
          byName.put(
              name,
              new NodeReport(
                  name,
                  n.trajectoriesGenerated(),
                  n.tokensGenerated(),
                  n.trajectoriesScored(),
                  code));
        });
    return withNodes(List.copyOf(byName.values()));
  }

  /** This summary with the journal audit's counts of lost, duplicated and expired leases. */
  public RunSummary withLedger(LedgerAudit.Result audit) {
    Trajectories t = trajectories;
    return with(
        new Trajectories(
            t.generated(),
            t.scored(),
            t.consumed(),
            t.rejectedStale(),
            audit.lost(),
            audit.duplicates(),
            audit.consumedAfterClose(),
            audit.expired()),
        audit,
        nodes);
  }

  private RunSummary withNodes(List<NodeReport> replaced) {
    return with(trajectories, ledger, replaced);
  }

  /** A copy with the parts that are filled in after the run replaced. */
  private RunSummary with(
      Trajectories newTrajectories, LedgerAudit.Result newLedger, List<NodeReport> newNodes) {
    return new RunSummary(
        suite,
        seed,
        steps,
        policyVersion,
        initialPass,
        finalPass,
        finalSplit,
        wallSeconds,
        tokensPerSecond,
        trajectoriesPerSecond,
        warmStartSteps,
        stopReason,
        resumedFromVersion,
        newTrajectories,
        newLedger,
        newNodes,
        curveSplit,
        curve);
  }

  /** One evaluation on {@code curveSplit}: the learner step, seconds since start, greedy pass@1. */
  public record CurvePoint(long step, double seconds, double pass) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Writes atomically: a reader never sees half a file. */
  public void writeTo(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".summary", ".json");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static RunSummary read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), RunSummary.class);
  }
}
