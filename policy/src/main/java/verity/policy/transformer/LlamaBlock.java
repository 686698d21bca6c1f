package verity.policy.transformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verity.policy.Scalars;

/**
 * A Llama-family decoder (Llama, Qwen2, Mistral without sliding window) as Hugging Face defines it,
 * on DJL NDArrays: token embedding, per layer RMSNorm → causal grouped-query attention with rotary
 * embeddings (half-split convention) → residual, RMSNorm → SwiGLU → residual, a final RMSNorm and
 * the language-model head (or the embedding, when tied). Its parameters carry Hugging Face's tensor
 * names, so a checkpoint loads and exports by name.
 *
 * <p>Inputs of {@link #forward(ParameterStore, NDArray, NDArray, NDArray, KvCache, boolean)}: token
 * ids {@code [N, T]}, their position ids {@code [N, T]} and which keys are real (not padding)
 * {@code [N, P + T]}, where {@code P} is what the cache already holds. Output: logits {@code [N, T,
 * V]}.
 */
public final class LlamaBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  /** Added to the score of a masked key; finite, so a row with every key masked stays finite. */
  private static final float MASKED = -1e30f;

  private final TransformerConfig config;
  private final Map<String, Parameter> byName = new LinkedHashMap<>();
  private final List<Layer> layers = new ArrayList<>();
  private final Parameter embed;
  private final Parameter finalNorm;
  private final Parameter head;
  private final float[] inverseFrequencies;

  private record Layer(
      Parameter inputNorm,
      Parameter q,
      Parameter qBias,
      Parameter k,
      Parameter kBias,
      Parameter v,
      Parameter vBias,
      Parameter o,
      Parameter oBias,
      Parameter postNorm,
      Parameter gate,
      Parameter up,
      Parameter down) {}

  public LlamaBlock(TransformerConfig config) {
    super(VERSION);
    this.config = config;
    this.inverseFrequencies = config.inverseFrequencies();
    int h = config.hiddenSize();
    int qDim = config.heads() * config.headDim();
    int kvDim = config.kvHeads() * config.headDim();
    int inner = config.intermediateSize();
    embed = weight("model.embed_tokens.weight", config.vocabSize(), h);
    for (int i = 0; i < config.layers(); i++) {
      String p = "model.layers." + i + ".";
      layers.add(
          new Layer(
              norm(p + "input_layernorm.weight", h),
              weight(p + "self_attn.q_proj.weight", qDim, h),
              config.qkvBias() ? bias(p + "self_attn.q_proj.bias", qDim) : null,
              weight(p + "self_attn.k_proj.weight", kvDim, h),
              config.qkvBias() ? bias(p + "self_attn.k_proj.bias", kvDim) : null,
              weight(p + "self_attn.v_proj.weight", kvDim, h),
              config.qkvBias() ? bias(p + "self_attn.v_proj.bias", kvDim) : null,
              weight(p + "self_attn.o_proj.weight", h, qDim),
              config.outputBias() ? bias(p + "self_attn.o_proj.bias", h) : null,
              norm(p + "post_attention_layernorm.weight", h),
              weight(p + "mlp.gate_proj.weight", inner, h),
              weight(p + "mlp.up_proj.weight", inner, h),
              weight(p + "mlp.down_proj.weight", h, inner)));
    }
    finalNorm = norm("model.norm.weight", h);
    head = config.tieWordEmbeddings() ? null : weight("lm_head.weight", config.vocabSize(), h);
  }

  public TransformerConfig config() {
    return config;
  }

  /** Every parameter by its Hugging Face tensor name, in checkpoint order. */
  public Map<String, Parameter> parametersByName() {
    return java.util.Collections.unmodifiableMap(byName);
  }

  /** Sets every parameter's initializer (before {@code initialize}): to load a checkpoint. */
  public void setInitializers(java.util.function.Function<String, Initializer> byTensorName) {
    byName.forEach((name, p) -> p.setInitializer(byTensorName.apply(name)));
  }

  private Parameter weight(String name, long rows, long columns) {
    // Hugging Face initializes linear and embedding weights from N(0, initializer_range = 0.02).
    return register(name, Parameter.Type.WEIGHT, new NormalInitializer(0.02f), rows, columns);
  }

  private Parameter bias(String name, long size) {
    return register(name, Parameter.Type.BIAS, Initializer.ZEROS, size);
  }

  private Parameter norm(String name, long size) {
    return register(name, Parameter.Type.GAMMA, Initializer.ONES, size);
  }

  private Parameter register(String name, Parameter.Type type, Initializer init, long... shape) {
    Parameter p =
        addParameter(
            Parameter.builder()
                .setName(name)
                .setType(type)
                .optInitializer(init)
                .optShape(new Shape(shape))
                .build());
    byName.put(name, p);
    return p;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(ps, inputs.get(0), inputs.get(1), inputs.get(2), null, training));
  }

  /**
   * Logits {@code [N, T, V]} for {@code ids} at {@code positions}, attending causally to the
   * cache's keys and the new ones where {@code keyValid} is 1; appends the new keys and values to
   * {@code cache} when one is given. Every result lands on the manager of {@code ids}.
   */
  public NDArray forward(
      ParameterStore ps,
      NDArray ids,
      NDArray positions,
      NDArray keyValid,
      KvCache cache,
      boolean training) {
    return forward(ps, ids, positions, keyValid, cache, training, false);
  }

  /**
   * The next-token logits {@code [N, 1, V]} after each row's last position only, as sampling needs
   * them: the output layer, the largest matrix product of a step, runs on one position per row
   * instead of all of them.
   */
  public NDArray forwardLast(
      ParameterStore ps, NDArray ids, NDArray positions, NDArray keyValid, KvCache cache) {
    return forward(ps, ids, positions, keyValid, cache, false, true);
  }

  private NDArray forward(
      ParameterStore ps,
      NDArray ids,
      NDArray positions,
      NDArray keyValid,
      KvCache cache,
      boolean training,
      boolean lastOnly) {
    Weights w = new Weights(ps, ids.getDevice(), training);
    long past = cache == null ? 0 : cache.length();
    NDManager call = ids.getManager();
    NDArray mask = attentionMask(call, keyValid, past, ids.getShape().get(1));
    NDArray[] rotary = rotary(call, positions);
    NDArray hidden =
        ids.getNDArrayInternal().embedding(ids, w.of(embed), SparseFormat.DENSE).singletonOrThrow();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      NDArray x = rmsNorm(hidden, w.of(layer.inputNorm()));
      NDArray attended =
          attention(w, layer, x, rotary, mask, cache == null ? null : cache.layer(i));
      hidden = hidden.add(w.linear(attended, layer.o(), layer.oBias()));
      NDArray y = rmsNorm(hidden, w.of(layer.postNorm()));
      NDArray gate = w.linear(y, layer.gate(), null);
      NDArray up = w.linear(y, layer.up(), null);
      NDArray swiglu = gate.mul(Activation.sigmoid(gate)).mul(up);
      hidden = hidden.add(w.linear(swiglu, layer.down(), null));
    }
    if (lastOnly) {
      hidden = hidden.get(":, -1:, :");
    }
    hidden = rmsNorm(hidden, w.of(finalNorm));
    return w.linear(hidden, head != null ? head : embed, null);
  }

  /** The parameters' values for one forward pass, on the inputs' device. */
  private record Weights(ParameterStore store, Device device, boolean training) {
    NDArray of(Parameter p) {
      return store.getValue(p, device, training);
    }

    /** {@code x · weightᵀ + bias}, Hugging Face's {@code nn.Linear} layout ({@code [out, in]}). */
    NDArray linear(NDArray x, Parameter weight, Parameter bias) {
      return Linear.linear(x, of(weight), bias == null ? null : of(bias)).singletonOrThrow();
    }
  }

  private NDArray attention(
      Weights w, Layer layer, NDArray x, NDArray[] rotary, NDArray mask, KvCache.LayerCache cache) {
    long n = x.getShape().get(0);
    long t = x.getShape().get(1);
    int d = config.headDim();
    int kv = config.kvHeads();
    int rep = config.queriesPerKeyValue();
    NDArray q =
        w.linear(x, layer.q(), layer.qBias())
            .reshape(n, t, config.heads(), d)
            .transpose(0, 2, 1, 3);
    NDArray k = w.linear(x, layer.k(), layer.kBias()).reshape(n, t, kv, d).transpose(0, 2, 1, 3);
    NDArray v = w.linear(x, layer.v(), layer.vBias()).reshape(n, t, kv, d).transpose(0, 2, 1, 3);
    q = rotate(q, rotary);
    k = rotate(k, rotary);
    if (cache != null) {
      NDArray[] kvAll = cache.append(k, v);
      k = kvAll[0];
      v = kvAll[1];
    }
    // Grouped-query attention without copying keys: query head h reads key-value head h / rep.
    NDArray scores =
        Scalars.div(
                q.reshape(n, kv, rep, t, d).matMul(k.expandDims(2).transpose(0, 1, 2, 4, 3)),
                (float) Math.sqrt(d))
            .add(mask);
    NDArray out = scores.softmax(-1).matMul(v.expandDims(2));
    return out.reshape(n, config.heads(), t, d)
        .transpose(0, 2, 1, 3)
        .reshape(n, t, (long) config.heads() * d);
  }

  /** {@code [N, 1, 1, T, P + T]}: 0 where a query may attend a key, {@link #MASKED} elsewhere. */
  private static NDArray attentionMask(NDManager call, NDArray keyValid, long past, long t) {
    long s = past + t;
    float[] causal = new float[Math.toIntExact(t * s)];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < s; j++) {
        causal[(int) (i * s + j)] = j <= past + i ? 1f : 0f;
      }
    }
    NDArray allowed =
        keyValid
            .toType(DataType.FLOAT32, false)
            .expandDims(1)
            .mul(call.create(causal, new Shape(t, s)));
    return Scalars.mul(Scalars.sub(allowed, 1f), -MASKED).expandDims(1).expandDims(1);
  }

  /**
   * cos and sin {@code [N, 1, T, d]} of each position's rotary angles, in the half-split layout.
   */
  private NDArray[] rotary(NDManager call, NDArray positions) {
    NDArray angles =
        positions
            .toType(DataType.FLOAT32, false)
            .expandDims(-1)
            .mul(call.create(inverseFrequencies));
    NDArray both = NDArrays.concat(new NDList(angles, angles), -1).expandDims(1);
    return new NDArray[] {both.cos(), both.sin()};
  }

  private NDArray rotate(NDArray x, NDArray[] rotary) {
    int half = config.headDim() / 2;
    NDArray first = x.get(new NDIndex("..., :{}", half));
    NDArray second = x.get(new NDIndex("..., {}:", half));
    NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), -1);
    return x.mul(rotary[0]).add(rotated.mul(rotary[1]));
  }

  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray rms =
        Scalars.add(x.square().mean(new int[] {-1}, true), (float) config.rmsNormEps()).sqrt();
    return x.div(rms).mul(weight);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputs) {
    Shape ids = inputs[0];
    return new Shape[] {new Shape(ids.get(0), ids.get(1), config.vocabSize())};
  }

  /** Input shapes for {@code initialize}: ids, positions and key mask of a batch of one. */
  public Shape[] exampleInputShapes() {
    return new Shape[] {new Shape(1, 2), new Shape(1, 2), new Shape(1, 2)};
  }
}
