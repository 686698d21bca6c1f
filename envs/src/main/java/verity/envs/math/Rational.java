package verity.envs.math;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An exact rational number in lowest terms with a positive denominator, so that equal values are
 * equal records. Hand-written because the JDK has none and a fraction library would be a dependency
 * for the four operations the math check needs.
 */
record Rational(BigInteger numerator, BigInteger denominator) implements Comparable<Rational> {
  static final Rational HUNDRED = new Rational(BigInteger.valueOf(100), BigInteger.ONE);

  Rational {
    if (denominator.signum() == 0) {
      throw new ArithmeticException("division by zero");
    }
    if (denominator.signum() < 0) {
      numerator = numerator.negate();
      denominator = denominator.negate();
    }
    BigInteger gcd = numerator.gcd(denominator);
    if (!gcd.equals(BigInteger.ONE) && gcd.signum() != 0) {
      numerator = numerator.divide(gcd);
      denominator = denominator.divide(gcd);
    }
  }

  static Rational of(BigDecimal decimal) {
    return decimal.scale() <= 0
        ? new Rational(decimal.toBigIntegerExact(), BigInteger.ONE)
        : new Rational(decimal.unscaledValue(), BigInteger.TEN.pow(decimal.scale()));
  }

  static Rational of(long value) {
    return new Rational(BigInteger.valueOf(value), BigInteger.ONE);
  }

  Rational add(Rational o) {
    return new Rational(
        numerator.multiply(o.denominator).add(o.numerator.multiply(denominator)),
        denominator.multiply(o.denominator));
  }

  Rational multiply(Rational o) {
    return new Rational(numerator.multiply(o.numerator), denominator.multiply(o.denominator));
  }

  /**
   * @throws ArithmeticException when {@code o} is zero
   */
  Rational divide(Rational o) {
    return new Rational(numerator.multiply(o.denominator), denominator.multiply(o.numerator));
  }

  Rational negate() {
    return new Rational(numerator.negate(), denominator);
  }

  @Override
  public int compareTo(Rational o) {
    return numerator.multiply(o.denominator).compareTo(o.numerator.multiply(denominator));
  }

  /** {@code 3/4}, or {@code 7} for an integer. */
  @Override
  public String toString() {
    return denominator.equals(BigInteger.ONE)
        ? numerator.toString()
        : numerator + "/" + denominator;
  }
}
