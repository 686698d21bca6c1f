package verity.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
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
import java.time.Duration;
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
import verity.actors.weights.plane.PlaneSettings;
import verity.actors.weights.plane.WireDtype;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.learner.PolicyStore;
import verity.rollout.WeightsFollower;

/**
 * How long a new policy version takes to reach 4 workers, against a raw loopback TCP copy of the
 * same bytes to 4 receivers measured in the same run. The Verity path is the real one: a {@link
 * PolicyStore} in one actor system announces the version on the cluster topic and offers it, and a
 * {@link WeightsFollower} in each of 4 other actor systems (Artery TCP on loopback for the headers,
 * every message through Kryo) streams the bytes over the weight plane, checks each chunk's CRC32C
 * and the whole version's checksum. The clock stops when the last worker holds the verified
 * version. Three shapes: every worker from the store; a relay chain (the store sends to one worker,
 * each worker forwards to the next); every worker from the store in bfloat16. For each, the store's
 * bytes sent per version ÷ one copy of the version's bytes. The baseline opens one socket per
 * receiver, writes the raw floats to all 4 at once and stops when the last receiver has read them
 * and computed their CRC32C.
 *
 * <p>Run with {@code verity bench --only broadcast}: 10M and 100M parameters, median of 5 (and
 * 500M, every worker from the store, when the JVM may use 16 GiB: {@code
 * VERITY_JAVA_OPTS=-Xmx18g}); quick: 1M and 10M, median of 3.
 */
public final class BroadcastBench implements Benchmark {
  private static final int WORKERS = 4;
  private static final long LARGE = 500_000_000;

  /** How the version travels. */
  private record Shape(String name, int fanout, WireDtype dtype) {}

  private static final List<Shape> SHAPES =
      List.of(
          new Shape("every worker from the store", 0, WireDtype.FLOAT32),
          new Shape("relay chain (fan-out 1)", 1, WireDtype.FLOAT32),
          new Shape("every worker from the store, bfloat16", 0, WireDtype.BFLOAT16));

  @Override
  public String name() {
    return "broadcast";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    List<Integer> sizes =
        run.quick() ? List.of(1_000_000, 10_000_000) : List.of(10_000_000, 100_000_000);
    int repeats = run.quick() ? 3 : 5;
    List<Figure> figures = new ArrayList<>();
    for (Shape shape : SHAPES) {
      figures.addAll(measure(run, shape, sizes, repeats));
    }
    if (!run.quick()) {
      if (Runtime.getRuntime().maxMemory() >= (16L << 30)) {
        figures.addAll(measure(run, SHAPES.get(0), List.of((int) LARGE), 3));
      } else {
        run.log()
            .printf(
                "  500M parameters skipped: 5 copies of 2 GB need -Xmx16g or more"
                    + " (VERITY_JAVA_OPTS=-Xmx18g)%n");
      }
    }
    return figures;
  }

  private List<Figure> measure(BenchRun run, Shape shape, List<Integer> sizes, int repeats)
      throws Exception {
    Config config =
        VerityNode.load(
            ConfigFactory.parseMap(
                Map.of(
                    "akka.remote.artery.canonical.port",
                    0,
                    "verity.data-dir",
                    run.workDir().toString(),
                    "verity.weights.relay-fanout",
                    shape.fanout(),
                    "verity.weights.wire-dtype",
                    shape.dtype() == WireDtype.FLOAT32 ? "float32" : "bfloat16",
                    "akka.loglevel",
                    "ERROR")));
    int chunkValues = config.getInt("verity.learner.weight-chunk-values");
    Map<Long, CountDownLatch> arrivals = new ConcurrentHashMap<>();
    ActorSystem<PolicyStore.Command> store =
        ActorSystem.create(
            PolicyStore.create(chunkValues, PlaneSettings.from(config)), "bench", config);
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
        long sentBefore = bytesSent(store);
        for (int r = 0; r < repeats; r++) {
          long t0 = System.nanoTime();
          version = publish(store, arrivals, ++version, values);
          verity[r] = (System.nanoTime() - t0) / 1e6;
          raw[r] = rawCopy(values);
        }
        double sentPerVersion = (bytesSent(store) - sentBefore) / (double) repeats;
        double oneCopy = (double) size * shape.dtype().bytes();
        double v = median(verity);
        double t = median(raw);
        run.log()
            .printf(
                Locale.ROOT,
                "  %s, %,d parameters (%.1f MB): verity %s, raw TCP %s; store sent %.2f copies%n",
                shape.name(),
                size,
                size * 4 / 1e6,
                Format.millis(v),
                Format.millis(t),
                sentPerVersion / oneCopy);
        String what =
            String.format(
                Locale.ROOT,
                "weight broadcast, %s: a version of %,d parameters (%.0f MB in fp32) to %d"
                    + " workers (separate actor systems; headers over Artery, bytes over the"
                    + " weight plane in %,d-value CRC32C chunks), median of %d",
                shape.name(),
                size,
                size * 4 / 1e6,
                WORKERS,
                chunkValues,
                repeats);
        figures.add(
            Figure.of(
                what + "; time ÷ raw loopback TCP copy",
                Format.millis(v),
                Format.millis(t) + " (raw fp32 TCP to 4 receivers, CRC32C)",
                v / t));
        figures.add(
            Figure.of(
                what + "; store's bytes sent ÷ one copy of the version's bytes on the wire",
                String.format(Locale.ROOT, "%,.0f B", sentPerVersion),
                String.format(Locale.ROOT, "%,.0f B", oneCopy),
                sentPerVersion / oneCopy));
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

  private static long bytesSent(ActorSystem<PolicyStore.Command> store) throws Exception {
    return AskPattern.<PolicyStore.Command, PolicyStore.PlaneStats>ask(
            store, PolicyStore.GetPlaneStats::new, Duration.ofSeconds(10), store.scheduler())
        .toCompletableFuture()
        .get()
        .bytesSent();
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
                values)));
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
      byte[] block = new byte[1 << 20];
      CRC32C crc = new CRC32C();
      for (int left = length; left > 0; ) {
        int n = in.read(block, 0, Math.min(block.length, left));
        if (n < 0) {
          throw new IOException("the sender closed after " + (length - left) + " bytes");
        }
        crc.update(block, 0, n);
        left -= n;
      }
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
