package verity.bench.serialization;

import akka.actor.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import verity.actors.cluster.VerityNode;
import verity.actors.protocol.Trajectory;
import verity.actors.serialization.KryoSerializer;
import verity.learner.shard.LearnerShard.Gradient;

/**
 * The three formats compared, each as bytes out and a message back: Verity's {@link KryoSerializer}
 * as Akka finds it for a {@link verity.actors.VerityMessage} under the node's own settings ({@code
 * verity-node.conf} and every module's registrations), Java serialization through {@code
 * ObjectOutputStream}, and Jackson CBOR on the records as they are.
 */
final class Codecs implements AutoCloseable {
  private final ActorSystem system;
  private final KryoSerializer kryo;
  private final CBORMapper cbor = new CBORMapper();

  Codecs() {
    // The node's settings on a local provider: serialization needs no cluster, and a bench run
    // must not bind the node's port.
    Config config =
        ConfigFactory.parseString(
                "akka.actor.provider = local\n"
                    + "akka.loglevel = WARNING\n"
                    + "akka.stdout-loglevel = WARNING\n"
                    // Akka's own stdout logger instead of SLF4J: the deploy module's logback.xml
                    // would otherwise open verity.log in the working directory.
                    + "akka.use-slf4j = off\n"
                    + "akka.loggers = [\"akka.event.Logging$DefaultLogger\"]\n"
                    + "akka.logging-filter = \"akka.event.DefaultLoggingFilter\"")
            .withFallback(VerityNode.nodeDefaults())
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    system = ActorSystem.create("serialization-bench", config);
    Serialization serialization = SerializationExtension.get(system);
    Serializer found = serialization.findSerializerFor(Messages.gradient());
    if (!(found instanceof KryoSerializer k)) {
      system.terminate();
      throw new IllegalStateException(
          "Akka serializes a gradient with " + found.getClass().getName() + ", not Kryo");
    }
    kryo = k;
  }

  byte[] kryoEncode(Object message) {
    return kryo.toBinary(message);
  }

  Object kryoDecode(byte[] bytes) {
    return kryo.fromBinaryJava(bytes, null);
  }

  static byte[] javaEncode(Object message) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(message);
    }
    return bytes.toByteArray();
  }

  static Object javaDecode(byte[] bytes) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    }
  }

  byte[] cborEncode(Object message) throws IOException {
    return cbor.writeValueAsBytes(message);
  }

  <T> T cborDecode(byte[] bytes, Class<T> type) throws IOException {
    return cbor.readValue(bytes, type);
  }

  /**
   * Sends each message once through each format and checks that it comes back equal; the mirrors
   * are converted back to Verity's records first, so a lossy mirror fails here too.
   */
  void checkRoundTrips(Trajectory trajectory, Gradient gradient) throws Exception {
    same("Kryo", trajectory, kryoDecode(kryoEncode(trajectory)));
    sameGradient("Kryo", gradient, kryoDecode(kryoEncode(gradient)));
    same(
        "Java serialization",
        trajectory,
        ((SerializableMirror.Trajectory) javaDecode(javaEncode(SerializableMirror.of(trajectory))))
            .toVerity());
    sameGradient(
        "Java serialization",
        gradient,
        ((SerializableMirror.Gradient) javaDecode(javaEncode(SerializableMirror.of(gradient))))
            .toVerity());
    same("Jackson CBOR", trajectory, cborDecode(cborEncode(trajectory), Trajectory.class));
    sameGradient("Jackson CBOR", gradient, cborDecode(cborEncode(gradient), Gradient.class));
  }

  private static void same(String format, Object sent, Object received) {
    if (!sent.equals(received)) {
      throw new IllegalStateException(
          format + " did not round-trip a " + sent.getClass().getSimpleName());
    }
  }

  /**
   * Field by field: {@link Gradient} keeps the record's own {@code equals}, which compares its
   * array by reference, so a decoded copy would never equal the original.
   */
  private static void sameGradient(String format, Gradient sent, Object received) {
    if (!(received instanceof Gradient g)
        || g.step() != sent.step()
        || !sent.shard().equals(g.shard())
        || !Arrays.equals(sent.gradient(), g.gradient())
        || !sent.sums().equals(g.sums())) {
      throw new IllegalStateException(
          format + " did not round-trip a " + sent.getClass().getSimpleName());
    }
  }

  @Override
  public void close() throws ExecutionException, TimeoutException {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
