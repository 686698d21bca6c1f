package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.envs.arith.ArithmeticSuite;
import verity.policy.GruPolicy;
import verity.policy.Policy;

class WorkerReplicaTest {

  @Test
  void shouldBeReadyWhileTheFirstVersionLoadsAndTellWhenItIsIn() throws Exception {
    ArithmeticSuite suite = ArithmeticSuite.singleDigit();
    ExecutorService compute = Executors.newSingleThreadExecutor();
    LinkedBlockingQueue<PolicyVersion> loaded = new LinkedBlockingQueue<>();
    CountDownLatch importing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (GruPolicy gru = GruPolicy.create(RolloutWorkerTest.SPEC, Device.cpu(), 3)) {
      FlatWeights v1 = gru.exportWeights(PolicyVersion.of(1));
      WorkerReplica replica =
          new WorkerReplica(
              suite,
              new RolloutSettings(1, 2, 1, 8, Duration.ofMinutes(1), 10),
              1f,
              7,
              new TrajectoryAssembler(suite, 2, "w"),
              compute,
              loaded::add);
      replica.stage(v1); // the version arrives before the replica is built
      assertFalse(replica.ready(), "no replica yet");
      replica.attach(blockingImports(gru, importing, release));
      replica.loadIfIdle();
      assertTrue(importing.await(10, TimeUnit.SECONDS));
      // The load took the staged version and has not finished: the worker must still lease.
      assertTrue(replica.ready(), "a version is loading: the replica is ready to generate");
      release.countDown();
      assertEquals(PolicyVersion.of(1), loaded.poll(10, TimeUnit.SECONDS));
      assertEquals(PolicyVersion.of(1), replica.loadedVersion());
    } finally {
      compute.shutdownNow();
    }
  }

  /** {@code policy}, whose imports wait for {@code release} once they have begun. */
  private static Policy blockingImports(
      Policy policy, CountDownLatch importing, CountDownLatch release) {
    return (Policy)
        Proxy.newProxyInstance(
            Policy.class.getClassLoader(),
            new Class<?>[] {Policy.class},
            (proxy, method, args) -> {
              if (method.getName().equals("importWeights")) {
                importing.countDown();
                release.await(10, TimeUnit.SECONDS);
              }
              if (method.getName().equals("close")) {
                return null; // the test closes the real policy itself
              }
              try {
                return method.invoke(policy, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
