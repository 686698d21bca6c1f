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
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import verity.actors.VerityMessage;
import verity.actors.cluster.VerityNode;
import verity.actors.protocol.Trajectory;
import verity.actors.serialization.KryoSerializer;

/**
 * The three formats compared, each as bytes out and a trajectory back: Verity's {@link
 * KryoSerializer} as Akka finds it for a {@link VerityMessage} under the node's own settings
 * ({@code verity-node.conf} and every module's registrations), Java serialization through {@code
 * ObjectOutputStream}, and Jackson CBOR on the records as they are.
 */
final class Codecs implements AutoCloseable {
  private final ActorSystem system;
  private final KryoSerializer kryo;
  private final CBORMapper cbor = new CBORMapper();

  Codecs() throws NotSerializableException {
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
    Serializer found = serialization.serializerFor(VerityMessage.class);
    if (!(found instanceof KryoSerializer k)) {
      system.terminate();
      throw new IllegalStateException(
          "Akka serializes a VerityMessage with " + found.getClass().getName() + ", not Kryo");
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
   * Sends the trajectory once through each format and checks that it comes back equal; the mirror
   * is converted back to Verity's record first, so a lossy mirror fails here too.
   */
  void checkRoundTrips(Trajectory trajectory) throws Exception {
    same("Kryo", trajectory, kryoDecode(kryoEncode(trajectory)));
    same(
        "Java serialization",
        trajectory,
        ((SerializableMirror.Trajectory) javaDecode(javaEncode(SerializableMirror.of(trajectory))))
            .toVerity());
    same("Jackson CBOR", trajectory, cborDecode(cborEncode(trajectory), Trajectory.class));
  }

  private static void same(String format, Object sent, Object received) {
    if (!sent.equals(received)) {
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
