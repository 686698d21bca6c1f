package verity.actors;

/**
 * Marker for every message that may cross a node boundary or be persisted. It is bound to the Kryo
 * serializer in {@code verity-node.conf}; each concrete class must also be registered with an id
 * under {@code verity.serialization.kryo.registrations}.
 */
public interface VerityMessage {}
