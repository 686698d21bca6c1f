package verity.deploy.generate;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import verity.deploy.Main;
import verity.policy.SampledBatch;
import verity.policy.transformer.CheckpointException;
import verity.policy.transformer.LanguageModel;
import verity.policy.transformer.TokenSampler;

/**
 * {@code verity generate}: continues prompts with a Hugging Face model directory, one JSON object
 * per prompt on stdout. Greedy unless a temperature is given; seeded, so a run repeats.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Continue prompts with a Hugging Face model directory (Llama, Qwen2, Mistral).",
      "Prints one line per prompt: {\"prompt_ids\", \"completion_ids\", \"log_probs\", \"text\"}."
    })
public final class GenerateCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "A Hugging Face directory: config.json, safetensors weights, tokenizer.json.")
  Path model;

  @Option(
      names = "--prompt",
      required = true,
      paramLabel = "TEXT",
      description = "A prompt; give the option again for more (they run as one batch).")
  List<String> prompts;

  @Option(
      names = "--max-new-tokens",
      defaultValue = "64",
      paramLabel = "N",
      description = "Most tokens to add to each prompt (default ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(
      names = "--temperature",
      defaultValue = "0",
      paramLabel = "T",
      description = "Sampling temperature; 0 (the default) is greedy.")
  float temperature;

  @Option(
      names = "--top-p",
      defaultValue = "1",
      paramLabel = "P",
      description = "Sample from the smallest set of likeliest tokens holding P (default 1: all).")
  float topP;

  @Option(
      names = "--seed",
      defaultValue = "0",
      paramLabel = "S",
      description = "Seed of the sampler (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--no-chat-template",
      description =
          "Use each prompt as it is; by default a model whose tokenizer_config.json has a chat"
              + " template gets each prompt as one user turn through it.")
  boolean noChatTemplate;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TokenSampler sampler;
    try {
      if (maxNewTokens < 1) {
        throw new IllegalArgumentException(
            "--max-new-tokens must be at least 1, was " + maxNewTokens);
      }
      sampler = new TokenSampler(temperature, topP);
    } catch (IllegalArgumentException e) {
      err.println("verity generate: " + e.getMessage());
      return Main.USAGE_ERROR;
    }
    try (LanguageModel lm = LanguageModel.load(model, Device.cpu())) {
      int[][] ids = new int[prompts.size()][];
      for (int i = 0; i < ids.length; i++) {
        try {
          ids[i] = lm.promptIds(prompts.get(i), !noChatTemplate);
        } catch (IllegalArgumentException e) {
          err.println(
              "verity generate: "
                  + model.resolve(LanguageModel.TOKENIZER_CONFIG)
                  + ": "
                  + e.getMessage());
          return Main.USAGE_ERROR;
        }
        if (ids[i].length == 0) {
          err.println("verity generate: prompt " + (i + 1) + " has no tokens");
          return Main.USAGE_ERROR;
        }
      }
      SampledBatch result =
          lm.model().generate(ids, maxNewTokens, sampler, new SplittableRandom(seed));
      for (int i = 0; i < ids.length; i++) {
        out.println(line(ids[i], result.completions()[i], result.logProbs()[i], lm));
      }
      out.flush();
      return 0;
    } catch (CheckpointException e) {
      err.println("verity generate: " + e.getMessage());
      return Main.USAGE_ERROR;
    }
  }

  private static String line(int[] prompt, int[] completion, float[] logProbs, LanguageModel lm) {
    ObjectNode node = JSON.createObjectNode();
    ArrayNode p = node.putArray("prompt_ids");
    for (int id : prompt) {
      p.add(id);
    }
    ArrayNode c = node.putArray("completion_ids");
    for (int id : completion) {
      c.add(id);
    }
    ArrayNode l = node.putArray("log_probs");
    for (float v : logProbs) {
      l.add(v);
    }
    node.put("text", lm.tokenizer().decode(completion, true));
    return node.toString();
  }
}
