package verity.actors.serialization;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.JSerializer;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers;
import com.esotericsoftware.kryo.util.Pool;
import java.util.ArrayList;
import java.util.List;
import verity.actors.protocol.Trajectory;

/**
 * Akka serializer for every {@link verity.actors.VerityMessage}, on Kryo 5 with registration
 * required: a class that is not listed under {@link KryoRegistrations#PATH} fails to serialize
 * instead of silently writing its name. Records use Kryo's record serializer, except {@link
 * Trajectory}, which has its own ({@link TrajectoryKryoSerializer}); primitive arrays are written
 * as such. Kryo instances are not thread-safe, so each call borrows one from a pool.
 */
public final class KryoSerializer extends JSerializer {
  /** Akka reserves 0 to 40; this one is Verity's. */
  public static final int IDENTIFIER = 7_410_001;

  private static final int INITIAL_BUFFER = 4 * 1024;

  /** How deep a message's objects may nest; Verity's own nest a dozen levels at most. */
  static final int MAX_DEPTH = 64;

  private final List<KryoRegistrations.Registration> registrations;
  private final ActorRefResolver resolver;
  private final Pool<Kryo> kryos;
  private final Pool<Output> outputs;

  public KryoSerializer(ExtendedActorSystem system) {
    this.registrations =
        KryoRegistrations.from(system.settings().config(), system.dynamicAccess().classLoader());
    this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    int max = Runtime.getRuntime().availableProcessors() * 4;
    this.kryos =
        new Pool<>(true, false, max) {
          @Override
          protected Kryo create() {
            return newKryo();
          }
        };
    this.outputs =
        new Pool<>(true, false, max) {
          @Override
          protected Output create() {
            return new Output(INITIAL_BUFFER, -1);
          }
        };
    kryos.free(newKryo()); // fail at start, not on the first message, if a registration is bad
  }

  private Kryo newKryo() {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    GuardedCollections.register(kryo);
    ActorRefKryoSerializer refs = new ActorRefKryoSerializer(resolver);
    kryo.addDefaultSerializer(ActorRef.class, refs);
    // Every typed ActorRef seen at run time, local or remote, is this adapter class.
    kryo.register(akka.actor.typed.internal.adapter.ActorRefAdapter.class, refs);
    for (Registration builtIn : builtIns(kryo)) {
      if (builtIn.getId() >= KryoRegistrations.FIRST_USER_ID) {
        throw new IllegalStateException(
            "Kryo's own registrations reached id "
                + builtIn.getId()
                + "; raise KryoRegistrations.FIRST_USER_ID");
      }
    }
    for (KryoRegistrations.Registration r : registrations) {
      if (r.type() == Trajectory.class) {
        kryo.register(r.type(), new TrajectoryKryoSerializer(), r.id());
      } else {
        kryo.register(r.type(), r.id());
      }
    }
    guardLengths(kryo);
    kryo.setMaxDepth(MAX_DEPTH);
    return kryo;
  }

  /**
   * Every registered array serializer reads its element count through a {@link LengthGuard}, so a
   * declared count that the message's bytes could not hold is refused before it is allocated (the
   * collections are guarded by {@link GuardedCollections}).
   */
  @SuppressWarnings({"unchecked", "rawtypes"}) // the registration's serializer, re-wrapped as is
  private void guardLengths(Kryo kryo) {
    List<Registration> all = builtIns(kryo);
    for (KryoRegistrations.Registration r : registrations) {
      all.add(kryo.getRegistration(r.type()));
    }
    for (Registration r : all) {
      Serializer s = r.getSerializer();
      if (s.getClass().getEnclosingClass() == DefaultArraySerializers.class) {
        r.setSerializer(new LengthGuard<>(s));
      }
    }
  }

  private static List<Registration> builtIns(Kryo kryo) {
    List<Registration> all = new ArrayList<>();
    for (int id = 0; id < KryoRegistrations.FIRST_USER_ID; id++) {
      Registration r = kryo.getClassResolver().getRegistration(id);
      if (r != null) {
        all.add(r);
      }
    }
    Registration beyond = kryo.getClassResolver().getRegistration(KryoRegistrations.FIRST_USER_ID);
    if (beyond != null) {
      all.add(beyond);
    }
    return all;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object o) {
    Kryo kryo = kryos.obtain();
    Output output = outputs.obtain();
    try {
      output.reset();
      kryo.writeClassAndObject(output, o);
      return output.toBytes();
    } finally {
      outputs.free(output);
      kryos.free(kryo);
    }
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    Kryo kryo = kryos.obtain();
    try {
      return kryo.readClassAndObject(new BoundedInput(bytes));
    } finally {
      kryos.free(kryo);
    }
  }
}
