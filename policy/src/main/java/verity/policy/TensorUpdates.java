package verity.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * In-place updates of tensors on their device, without autograd: the optimizer's fused AdamW step
 * and copies between tensors. Engine-specific (PyTorch, the only engine Verity runs), so that the
 * learner's optimizer needs no engine classes.
 */
public final class TensorUpdates {
  private TensorUpdates() {}

  /**
   * One AdamW update of {@code weight} from {@code gradient}, in libtorch's fused kernel (DJL's
   * {@code adamUpdate}, which runs without autograd and leaves the gradient as it is): {@code
   * weight -= learningRate * weightDecay * weight}; then, with {@code g = rescale * gradient},
   * {@code m = beta1 m + (1 - beta1) g}, {@code v = beta2 v + (1 - beta2) g²} and {@code weight -=
   * stepSize * m / (sqrt(v) + epsilon)}. Bias correction is the caller's: it folds into {@code
   * stepSize} and {@code epsilon}.
   */
  public static void adamW(
      NDArray weight,
      NDArray gradient,
      NDArray m,
      NDArray v,
      float learningRate,
      float stepSize,
      float weightDecay,
      float rescale,
      float beta1,
      float beta2,
      float epsilon) {
    JniUtils.adamUpdate(
        (PtNDArray) weight,
        (PtNDArray) gradient,
        (PtNDArray) m,
        (PtNDArray) v,
        learningRate,
        stepSize,
        weightDecay,
        rescale,
        -1f, // no element-wise clamp: clipping is by the global norm, through rescale
        beta1,
        beta2,
        epsilon,
        true);
  }

  /**
   * Makes {@code value} the gradient of the leaf tensor {@code parameter} (zeroing what was there;
   * defining it when no backward pass has yet), through autograd's own accumulation.
   */
  public static void setGradient(NDArray parameter, NDArray value) {
    if (!parameter.getShape().equals(value.getShape())) {
      throw new IllegalArgumentException(
          "a gradient of shape " + value.getShape() + " for " + parameter.getShape());
    }
    PtNDArray p = (PtNDArray) parameter;
    JniUtils.zeroGrad(p);
    JniUtils.backward(p, (PtNDArray) value, false, false);
  }

  /** Copies {@code source}'s values into {@code target} in place, on the device. */
  public static void copy(NDArray source, NDArray target) {
    if (!source.getShape().equals(target.getShape())) {
      throw new IllegalArgumentException(
          "cannot copy " + source.getShape() + " into " + target.getShape());
    }
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      target.set(new NDIndex(":"), source);
    } finally {
      JniUtils.setGradMode(grad);
    }
  }
}
