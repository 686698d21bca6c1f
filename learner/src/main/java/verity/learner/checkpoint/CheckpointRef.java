package verity.learner.checkpoint;

import verity.actors.ids.PolicyVersion;

/**
 * Where a checkpoint lies and what it must hash to; what the coordinator's journal records.
 *
 * @param checksum CRC32C over the checkpoint's files, in the order they are written
 */
public record CheckpointRef(PolicyVersion version, String path, long checksum) {}
