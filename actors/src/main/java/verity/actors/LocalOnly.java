package verity.actors;

import akka.actor.NoSerializationVerificationNeeded;

/**
 * Marks a message that by construction never leaves its JVM: a {@code pipeToSelf} result, a timer
 * tick, or a hand-over between an actor and a child it spawned. Such messages may hold live objects
 * (a DJL replica, an exception) and are exempt from {@code serialize-messages}.
 */
public interface LocalOnly extends NoSerializationVerificationNeeded {}
