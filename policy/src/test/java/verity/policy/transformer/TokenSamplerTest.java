package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
  /** Logits whose softmax is exactly 0.5, 0.3, 0.15, 0.05. */
  private static final float[] LOGITS = {
    (float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)
  };

  @Test
  void shouldTakeTheMostLikelyTokenAtTemperatureZero() {
    TokenSampler.Draw d = new TokenSampler(0, 1).draw(new float[] {0.1f, 3f, -2f}, null);
    assertEquals(1, d.token());
    assertEquals(0f, d.logProb());
  }

  @Test
  void shouldDrawInProportionToTheSoftmaxAndRecordItsLogProb() {
    TokenSampler sampler = new TokenSampler(1, 1);
    SplittableRandom random = new SplittableRandom(3);
    int[] counts = new int[4];
    int draws = 40_000;
    for (int i = 0; i < draws; i++) {
      TokenSampler.Draw d = sampler.draw(LOGITS, random);
      counts[d.token()]++;
      assertEquals(LOGITS[d.token()], d.logProb(), 1e-6);
    }
    double[] p = {0.5, 0.3, 0.15, 0.05};
    for (int t = 0; t < 4; t++) {
      double sd = Math.sqrt(draws * p[t] * (1 - p[t]));
      assertEquals(draws * p[t], counts[t], 5 * sd, "token " + t);
    }
  }

  @Test
  void shouldDrawOnlyFromTheNucleusAndRenormalizeOverIt() {
    // The two most likely tokens hold 0.8 ≥ 0.7; the third and fourth are never drawn.
    TokenSampler sampler = new TokenSampler(1, 0.7f);
    SplittableRandom random = new SplittableRandom(4);
    int[] counts = new int[4];
    for (int i = 0; i < 10_000; i++) {
      TokenSampler.Draw d = sampler.draw(LOGITS, random);
      counts[d.token()]++;
      double expected = Math.log((d.token() == 0 ? 0.5 : 0.3) / 0.8);
      assertEquals(expected, d.logProb(), 1e-6);
    }
    assertEquals(0, counts[2] + counts[3]);
    assertEquals(0.625, counts[0] / 10_000.0, 0.03);
  }

  @Test
  void shouldKeepAtLeastTheMostLikelyToken() {
    TokenSampler.Draw d = new TokenSampler(1, 0.01f).draw(LOGITS, new SplittableRandom(1));
    assertEquals(0, d.token());
    assertEquals(0f, d.logProb(), 1e-7);
  }

  @Test
  void shouldSharpenWithALowTemperature() {
    double[] cold = TokenSampler.logSoftmax(LOGITS, 0.5f);
    // p^(1/T) renormalized: 0.25 / (0.25 + 0.09 + 0.0225 + 0.0025).
    assertEquals(Math.log(0.25 / 0.365), cold[0], 1e-6);
  }

  @Test
  void shouldRefuseATemperatureOrTopPOutOfRange() {
    assertThrows(IllegalArgumentException.class, () -> new TokenSampler(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TokenSampler(Float.NaN, 1));
    assertThrows(IllegalArgumentException.class, () -> new TokenSampler(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new TokenSampler(1, 1.5f));
  }
}
