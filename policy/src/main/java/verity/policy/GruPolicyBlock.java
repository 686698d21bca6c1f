package verity.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.GRU;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Token embedding, a GRU and a linear head to next-token logits. Inputs: token ids {@code [N, T]}
 * and the recurrent state {@code [layers, N, hidden]}; outputs: logits {@code [N, T, vocab]} and
 * the state after the last position, so that sampling can go on one token at a time.
 */
final class GruPolicyBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final PolicySpec spec;
  private final Linear embed;
  private final GRU gru;
  private final Linear head;

  GruPolicyBlock(PolicySpec spec) {
    super(VERSION);
    this.spec = spec;
    // A bias-free linear map of a one-hot token is an embedding table.
    this.embed =
        addChildBlock("embed", Linear.builder().setUnits(spec.embedding()).optBias(false).build());
    this.gru =
        addChildBlock(
            "gru",
            GRU.builder()
                .setStateSize(spec.hidden())
                .setNumLayers(spec.layers())
                .optBatchFirst(true)
                .optReturnState(true)
                .build());
    this.head = addChildBlock("head", Linear.builder().setUnits(spec.vocabSize()).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray tokens = inputs.get(0);
    NDArray state = inputs.get(1);
    NDArray oneHot = tokens.oneHot(spec.vocabSize());
    NDArray embedded = embed.forward(ps, new NDList(oneHot), training).singletonOrThrow();
    NDList recurrent = gru.forward(ps, new NDList(embedded, state), training);
    NDArray logits = head.forward(ps, new NDList(recurrent.get(0)), training).singletonOrThrow();
    return new NDList(logits, recurrent.get(1));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputs) {
    Shape tokens = inputs[0];
    return new Shape[] {
      new Shape(tokens.get(0), tokens.get(1), spec.vocabSize()),
      new Shape(spec.layers(), tokens.get(0), spec.hidden())
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
    long n = inputs[0].get(0);
    long t = inputs[0].get(1);
    embed.initialize(manager, dataType, new Shape(n, t, spec.vocabSize()));
    gru.initialize(
        manager,
        dataType,
        new Shape(n, t, spec.embedding()),
        new Shape(spec.layers(), n, spec.hidden()));
    head.initialize(manager, dataType, new Shape(n, t, spec.hidden()));
  }

  /** Input shapes for initialization: a batch of one short sequence. */
  Shape[] exampleInputShapes() {
    return new Shape[] {new Shape(1, 2), new Shape(spec.layers(), 1, spec.hidden())};
  }
}
