package verity.policy;

import ai.djl.Device;

class GruPolicyTest extends PolicyContract {
  @Override
  protected Policy create(PolicySpec spec, long seed) {
    return Policy.create(spec, Device.cpu(), seed);
  }

  @Override
  protected Policy createOtherArchitecture(PolicySpec spec) {
    PolicySpec wider =
        new PolicySpec(
            spec.tokenizer(),
            spec.maxPromptTokens(),
            spec.maxCompletionTokens(),
            spec.embedding(),
            spec.hidden() + 16,
            spec.layers());
    return Policy.create(wider, Device.cpu(), 1);
  }
}
