package verity.actors.protocol;

/** A trajectory with the verdict of a reward verifier that did not trust the worker. */
public record ScoredTrajectory(Trajectory trajectory, Verdict verdict) {}
