package verity.learner.shard;

import verity.actors.weights.WeightsHeader;
import verity.actors.weights.plane.PlaneAddress;

/**
 * Where a learner node serves a set of tensors on the weight plane (a shard's state, a gradient):
 * their names, shapes and checksum under a name of their own, the server, and the chunk size. The
 * bytes never travel in an actor message.
 */
public record TensorsRef(WeightsHeader header, PlaneAddress at, int chunkValues) {}
