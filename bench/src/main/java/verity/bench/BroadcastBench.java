package verity.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import verity.actors.cluster.VerityNode;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.learner.PolicyStore;
import verity.rollout.WeightsFollower;

/**
 * How long a new policy version takes to reach 4 workers, against a raw loopback TCP copy of the
 * same bytes to 4 receivers measured in the same run. The Verity path is the real one: a {@link
 * PolicyStore} in one actor system announces the version on the cluster topic, and a {@link
 * WeightsFollower} in each of 4 other actor systems (Artery TCP on loopback, every message through
 * Kryo) pulls the checksummed chunks, assembles them and checks the checksum. The clock stops when
 * the last worker holds the verified version. The baseline opens one socket per receiver, writes
 * the raw floats to all 4 at once and stops when the last receiver has read them and computed their
 * CRC32C.
 *
 * <p>Run with {@code verity bench --only broadcast}: 1M, 10M and 50M parameters, median of 5;
 * quick: 1M and 10M, median of 3.
 */
public final class BroadcastBench implements Benchmark {
  private static final int WORKERS = 4;

  @Override
  public String name() {
    return "broadcast";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    int[] sizes =
        run.quick()
            ? new int[] {1_000_000, 10_000_000}
            : new int[] {1_000_000, 10_000_000, 50_000_000};
    int repeats = run.quick() ? 3 : 5;
    Config config =
        VerityNode.load(
            ConfigFactory.parseMap(
                Map.of(
                    "akka.remote.artery.canonical.port",
                    0,
                    "verity.data-dir",
                    run.workDir().toString(),
                    "akka.loglevel",
                    "ERROR")));
    int chunkValues = config.getInt("verity.learner.weight-chunk-values");
    Map<Long, CountDownLatch> arrivals = new ConcurrentHashMap<>();
    ActorSystem<PolicyStore.Command> store =
        ActorSystem.create(PolicyStore.create(chunkValues), "bench", config);
    List<ActorSystem<WeightsFollower.WeightsReady>> workers = new ArrayList<>();
    for (int i = 0; i < WORKERS; i++) {
      workers.add(
          ActorSystem.create(
              Behaviors.setup(
                  ctx -> {
                    ctx.spawn(WeightsFollower.create(ctx.getSelf()), "weights");
                    return Behaviors.receiveMessage(
                        ready -> {
                          CountDownLatch l = arrivals.get(ready.weights().version().value());
                          if (l != null) {
                            l.countDown();
                          }
                          return Behaviors.same();
                        });
                  }),
              "bench",
              config));
    }
    List<Figure> figures = new ArrayList<>();
    try {
      formCluster(store, workers);
      long version = 0;
      for (int size : sizes) {
        float[] values = values(size);
        double[] verity = new double[repeats];
        double[] raw = new double[repeats];
        // Warm-up: one version of this size before timing.
        version = publish(store, arrivals, ++version, values);
        rawCopy(values);
        for (int r = 0; r < repeats; r++) {
          long t0 = System.nanoTime();
          version = publish(store, arrivals, ++version, values);
          verity[r] = (System.nanoTime() - t0) / 1e6;
          raw[r] = rawCopy(values);
        }
        double v = median(verity);
        double t = median(raw);
        run.log()
            .printf(
                Locale.ROOT,
                "  %,d parameters (%.1f MB): verity %s, raw TCP %s%n",
                size,
                size * 4 / 1e6,
                Format.millis(v),
                Format.millis(t));
        figures.add(
            Figure.of(
                String.format(
                    Locale.ROOT,
                    "weight broadcast: a version of %,d parameters (%.0f MB) to %d workers"
                        + " (separate actor systems, Artery TCP, Kryo, %,d-float checksummed"
                        + " chunks), median of %d; time ÷ raw loopback TCP copy",
                    size,
                    size * 4 / 1e6,
                    WORKERS,
                    chunkValues,
                    repeats),
                Format.millis(v),
                Format.millis(t) + " (raw TCP to 4 receivers, CRC32C)",
                v / t));
        values = null;
        System.gc();
      }
    } finally {
      workers.forEach(ActorSystem::terminate);
      store.terminate();
      for (ActorSystem<?> s : workers) {
        s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      store.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return figures;
  }

  private static void formCluster(ActorSystem<?> first, List<? extends ActorSystem<?>> others)
      throws InterruptedException {
    Cluster.get(first).manager().tell(Join.create(Cluster.get(first).selfMember().address()));
    for (ActorSystem<?> s : others) {
      Cluster.get(s).manager().tell(Join.create(Cluster.get(first).selfMember().address()));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      long up = 0;
      for (var m : Cluster.get(first).state().getMembers()) {
        if (m.status() == MemberStatus.up()) {
          up++;
        }
      }
      if (up == others.size() + 1) {
        Thread.sleep(2000); // let the receptionist and the topic spread to every node
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the bench cluster did not form within 60 s");
  }

  /** Publishes a version and waits until every worker holds it, checksum verified. */
  private static long publish(
      ActorSystem<PolicyStore.Command> store,
      Map<Long, CountDownLatch> arrivals,
      long version,
      float[] values)
      throws InterruptedException {
    CountDownLatch all = new CountDownLatch(WORKERS);
    arrivals.put(version, all);
    store.tell(
        new PolicyStore.Publish(
            FlatWeights.of(
                PolicyVersion.of(version),
                List.of("weights"),
                List.of(new int[] {values.length}),
                values.clone())));
    if (!all.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "version " + version + " reached only " + (WORKERS - all.getCount()) + " workers");
    }
    arrivals.remove(version);
    return version;
  }

  /** Milliseconds to copy the floats' bytes to 4 loopback receivers that each check a CRC32C. */
  private static double rawCopy(float[] values) throws Exception {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    byte[] bytes = buffer.array();
    ExecutorService threads = Executors.newFixedThreadPool(2 * WORKERS);
    List<ServerSocket> servers = new ArrayList<>();
    try {
      List<Future<Long>> received = new ArrayList<>();
      for (int i = 0; i < WORKERS; i++) {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        servers.add(server);
        received.add(threads.submit(() -> receive(server, bytes.length)));
      }
      long t0 = System.nanoTime();
      List<Future<?>> sent = new ArrayList<>();
      for (ServerSocket server : servers) {
        sent.add(
            threads.submit(
                () -> {
                  try (Socket s =
                          new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                      OutputStream out = s.getOutputStream()) {
                    out.write(bytes);
                  }
                  return null;
                }));
      }
      for (Future<?> f : sent) {
        f.get();
      }
      for (Future<Long> f : received) {
        f.get();
      }
      return (System.nanoTime() - t0) / 1e6;
    } finally {
      for (ServerSocket s : servers) {
        s.close();
      }
      threads.shutdown();
    }
  }

  private static long receive(ServerSocket server, int length) throws IOException {
    try (Socket s = server.accept();
        DataInputStream in = new DataInputStream(s.getInputStream())) {
      byte[] got = new byte[length];
      in.readFully(got);
      CRC32C crc = new CRC32C();
      crc.update(got);
      return crc.getValue();
    }
  }

  private static float[] values(int size) {
    SplittableRandom random = new SplittableRandom(size);
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) random.nextGaussian() * 0.05f;
    }
    return v;
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
