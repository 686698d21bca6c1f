package verity.policy.transformer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a Hugging Face directory with random weights for tests: scaled so that logits spread over
 * several units (Hugging Face's own N(0, 0.02) would make every token nearly equally likely, and a
 * greedy comparison would hinge on ties).
 */
final class RandomCheckpoint {
  private RandomCheckpoint() {}

  /** One {@code model.safetensors}. */
  static void write(Path dir, TransformerConfig config, long seed, SafetensorsWriter.Dtype dtype)
      throws IOException {
    write(dir, config, seed, dtype, 1);
  }

  /** {@code shards} files and an index when {@code shards > 1}. */
  static void write(
      Path dir, TransformerConfig config, long seed, SafetensorsWriter.Dtype dtype, int shards)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(TransformerModel.CONFIG), config.toJson().toPrettyString());
    List<SafetensorsWriter.Tensor> tensors = tensors(config, seed);
    if (shards == 1) {
      SafetensorsWriter.write(
          dir.resolve(CheckpointTensors.SINGLE), tensors, dtype, Map.of("format", "pt"));
      return;
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode index = json.createObjectNode();
    index.putObject("metadata");
    ObjectNode map = index.putObject("weight_map");
    int per = (tensors.size() + shards - 1) / shards;
    for (int s = 0; s < shards; s++) {
      String name = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
      List<SafetensorsWriter.Tensor> part =
          tensors.subList(s * per, Math.min(tensors.size(), (s + 1) * per));
      part.forEach(t -> map.put(t.name(), name));
      SafetensorsWriter.write(dir.resolve(name), part, dtype, Map.of("format", "pt"));
    }
    Files.writeString(dir.resolve(CheckpointTensors.INDEX), index.toPrettyString());
  }

  static List<SafetensorsWriter.Tensor> tensors(TransformerConfig config, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
    new LlamaBlock(config)
        .parametersByName()
        .forEach(
            (name, p) -> {
              long[] shape = p.getShape().getShape();
              float[] values = new float[Math.toIntExact(p.getShape().size())];
              double scale;
              double offset = 0;
              if (name.endsWith("norm.weight")) {
                scale = 0.1;
                offset = 1;
              } else if (name.endsWith(".bias")) {
                scale = 0.1;
              } else if (name.equals("model.embed_tokens.weight")) {
                scale = 1;
              } else {
                scale = 1.5 / Math.sqrt(shape[1]);
              }
              for (int i = 0; i < values.length; i++) {
                values[i] = (float) (offset + scale * random.nextGaussian());
              }
              tensors.add(new SafetensorsWriter.Tensor(name, shape, () -> values));
            });
    return tensors;
  }
}
