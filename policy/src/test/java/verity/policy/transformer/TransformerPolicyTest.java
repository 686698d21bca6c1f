package verity.policy.transformer;

import ai.djl.Device;
import verity.policy.Policy;
import verity.policy.PolicyContract;
import verity.policy.PolicySpec;

class TransformerPolicyTest extends PolicyContract {
  private static final TransformerSizes SIZES = new TransformerSizes(32, 64, 2, 4, 2, 10_000);

  @Override
  protected Policy create(PolicySpec spec, long seed) {
    return TransformerPolicy.create(spec, SIZES, Device.cpu(), seed);
  }

  @Override
  protected Policy createOtherArchitecture(PolicySpec spec) {
    return TransformerPolicy.create(
        spec, new TransformerSizes(32, 64, 3, 4, 2, 10_000), Device.cpu(), 1);
  }
}
