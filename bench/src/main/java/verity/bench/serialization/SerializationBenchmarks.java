package verity.bench.serialization;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import verity.actors.protocol.Trajectory;
import verity.learner.shard.LearnerShard.Gradient;

/**
 * The JMH benchmarks behind {@link SerializationBench}: one encode-and-decode round trip of a
 * message per operation, for each message and format. Returning the decoded message hands it to
 * JMH's blackhole, so neither half can be optimized away.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SerializationBenchmarks {
  private Codecs codecs;
  private Trajectory trajectory;
  private Gradient gradient;
  private SerializableMirror.Trajectory trajectoryMirror;
  private SerializableMirror.Gradient gradientMirror;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    codecs = new Codecs();
    trajectory = Messages.longTrajectory();
    gradient = Messages.gradient();
    trajectoryMirror = SerializableMirror.of(trajectory);
    gradientMirror = SerializableMirror.of(gradient);
    codecs.checkRoundTrips(trajectory, gradient);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    codecs.close();
  }

  @Benchmark
  public Object trajectoryKryo() {
    return codecs.kryoDecode(codecs.kryoEncode(trajectory));
  }

  @Benchmark
  public Object trajectoryJava() throws Exception {
    return Codecs.javaDecode(Codecs.javaEncode(trajectoryMirror));
  }

  @Benchmark
  public Object trajectoryCbor() throws Exception {
    return codecs.cborDecode(codecs.cborEncode(trajectory), Trajectory.class);
  }

  @Benchmark
  public Object gradientKryo() {
    return codecs.kryoDecode(codecs.kryoEncode(gradient));
  }

  @Benchmark
  public Object gradientJava() throws Exception {
    return Codecs.javaDecode(Codecs.javaEncode(gradientMirror));
  }

  @Benchmark
  public Object gradientCbor() throws Exception {
    return codecs.cborDecode(codecs.cborEncode(gradient), Gradient.class);
  }
}
