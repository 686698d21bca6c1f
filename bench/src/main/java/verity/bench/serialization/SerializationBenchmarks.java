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

/**
 * The JMH benchmarks behind {@link SerializationBench}: one encode-and-decode round trip of the
 * long trajectory per operation, for each format. Returning the decoded message hands it to JMH's
 * blackhole, so neither half can be optimized away.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SerializationBenchmarks {
  private Codecs codecs;
  private Trajectory trajectory;
  private SerializableMirror.Trajectory trajectoryMirror;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    codecs = new Codecs();
    trajectory = Messages.longTrajectory();
    trajectoryMirror = SerializableMirror.of(trajectory);
    codecs.checkRoundTrips(trajectory);
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
}
