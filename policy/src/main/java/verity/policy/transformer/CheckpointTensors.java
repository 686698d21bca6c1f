package verity.policy.transformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors of a Hugging Face model directory, by name: one {@code model.safetensors}, or the
 * shards a {@code model.safetensors.index.json} maps them to. Each tensor is read from its file
 * only when asked for.
 */
public final class CheckpointTensors {
  public static final String SINGLE = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";

  private final Path directory;
  private final Map<String, SafetensorsFile> fileOf;

  private CheckpointTensors(Path directory, Map<String, SafetensorsFile> fileOf) {
    this.directory = directory;
    this.fileOf = fileOf;
  }

  /**
   * Opens the checkpoint in {@code directory}, checking every file's header and, for a sharded one,
   * that each tensor the index names is in the shard it names.
   *
   * @throws CheckpointException naming the file and the problem
   */
  public static CheckpointTensors open(Path directory) {
    Path index = directory.resolve(INDEX);
    if (Files.isRegularFile(index)) {
      return sharded(directory, index);
    }
    Path single = directory.resolve(SINGLE);
    if (!Files.isRegularFile(single)) {
      throw new CheckpointException(
          directory, "no " + SINGLE + " and no " + INDEX + ": not a Hugging Face model directory");
    }
    SafetensorsFile file = SafetensorsFile.open(single);
    Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
    file.entries().keySet().forEach(name -> fileOf.put(name, file));
    return new CheckpointTensors(directory, Collections.unmodifiableMap(fileOf));
  }

  private static CheckpointTensors sharded(Path directory, Path index) {
    JsonNode map;
    try {
      map = new ObjectMapper().readTree(Files.readString(index)).path("weight_map");
    } catch (IOException e) {
      throw new CheckpointException(index, "cannot read: " + e.getMessage(), e);
    }
    if (!map.isObject() || map.isEmpty()) {
      throw new CheckpointException(index, "no weight_map naming each tensor's shard");
    }
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String shardName = e.getValue().asText();
      Path shard = directory.resolve(shardName).normalize();
      if (!shard.getParent().equals(directory.normalize())) {
        throw new CheckpointException(index, "shard " + shardName + " lies outside the directory");
      }
      if (!Files.isRegularFile(shard)) {
        throw new CheckpointException(
            index, "names shard " + shardName + " for " + e.getKey() + ", which does not exist");
      }
      SafetensorsFile file = shards.computeIfAbsent(shardName, s -> SafetensorsFile.open(shard));
      if (!file.entries().containsKey(e.getKey())) {
        throw new CheckpointException(
            shard, "no tensor " + e.getKey() + " though " + INDEX + " says so");
      }
      fileOf.put(e.getKey(), file);
    }
    return new CheckpointTensors(directory, Collections.unmodifiableMap(fileOf));
  }

  public Path directory() {
    return directory;
  }

  /** Every tensor's name and the file holding it. */
  public Map<String, SafetensorsFile> files() {
    return fileOf;
  }

  /** The header entry of a tensor, or {@code null} when the checkpoint has none by that name. */
  public SafetensorsFile.Entry entry(String name) {
    SafetensorsFile file = fileOf.get(name);
    return file == null ? null : file.entries().get(name);
  }

  /** A tensor's values as fp32. */
  public float[] read(String name) {
    SafetensorsFile file = fileOf.get(name);
    if (file == null) {
      throw new CheckpointException(directory, "no tensor named " + name);
    }
    return file.readFloats(name);
  }
}
