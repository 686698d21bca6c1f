package verity.envs.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import verity.envs.Outcome;

class DslInterpreterTest {
  final DslInterpreter interpreter = new DslInterpreter(new DslLimits(100, 4));

  long value(String program, long input) throws DslSyntaxException {
    DslRun run = interpreter.run(DslProgram.parse(program, 32), input);
    return assertInstanceOf(DslRun.Finished.class, run, () -> program + ": " + run).value();
  }

  Outcome failure(String program, long input) throws DslSyntaxException {
    DslRun run = interpreter.run(DslProgram.parse(program, 32), input);
    return assertInstanceOf(DslRun.Failed.class, run, () -> program + ": " + run).outcome();
  }

  @Test
  void shouldPushDigitsAndTheInput() throws DslSyntaxException {
    for (int d = 0; d <= 9; d++) {
      assertEquals(d, value(String.valueOf(d), 42));
    }
    assertEquals(-17, value("x", -17));
  }

  @Test
  void shouldApplyBinaryOperationsToTheSecondAndTopValues() throws DslSyntaxException {
    assertEquals(11, value("83+", 0));
    assertEquals(5, value("83-", 0));
    assertEquals(-5, value("38-", 0));
    assertEquals(24, value("83*", 0));
    assertEquals(8, value("83m", 0));
    assertEquals(3, value("x3m", -4));
  }

  @Test
  void shouldTakeTheAbsoluteValueOfTheTop() throws DslSyntaxException {
    assertEquals(6, value("x9-a", 3));
    assertEquals(6, value("x9-a", 15));
  }

  @Test
  void shouldDuplicateSwapAndDrop() throws DslSyntaxException {
    assertEquals(49, value("xd*", -7));
    assertEquals(-5, value("x3s-", 8), "swap makes 3 - x");
    assertEquals(7, value("7xp", 1));
  }

  @Test
  void shouldOutputTheTopAndIgnoreTheRestOfTheStack() throws DslSyntaxException {
    assertEquals(2, value("912", 0));
  }

  @Test
  void shouldRepeatALoopBodyThePoppedNumberOfTimes() throws DslSyntaxException {
    assertEquals(15, value("03[5+]", 0));
    assertEquals(1, value("10[5+]", 0), "a zero count skips the body");
    assertEquals(12, value("02[2[3+]]", 0), "loops nest");
    assertEquals(20, value("0x[4+]", 5), "the count may come from the input");
  }

  @Test
  void shouldCrashOnStackUnderflow() throws DslSyntaxException {
    assertEquals(Outcome.CRASHED, failure("+", 0));
    assertEquals(Outcome.CRASHED, failure("1+", 0));
    assertEquals(Outcome.CRASHED, failure("a", 0));
    assertEquals(Outcome.CRASHED, failure("d", 0));
    assertEquals(Outcome.CRASHED, failure("1s", 0));
    assertEquals(Outcome.CRASHED, failure("p", 0));
    assertEquals(Outcome.CRASHED, failure("[]", 0));
  }

  @Test
  void shouldCrashWhenNothingIsLeftToOutput() throws DslSyntaxException {
    assertEquals(Outcome.CRASHED, failure("1p", 0));
  }

  @Test
  void shouldCrashOnANegativeLoopCount() throws DslSyntaxException {
    assertEquals(Outcome.CRASHED, failure("x[1]", -1));
  }

  @Test
  void shouldCrashOnOverflow() throws DslSyntaxException {
    assertEquals(Outcome.CRASHED, failure("xd*", 4_000_000_000L));
    assertEquals(Outcome.CRASHED, failure("x1-", Long.MIN_VALUE));
    assertEquals(Outcome.CRASHED, failure("xa", Long.MIN_VALUE));
  }

  @Test
  void shouldTimeOutPastTheStepLimit() throws DslSyntaxException {
    assertEquals(Outcome.TIMEOUT, failure("9[9[]]", 0));
    assertEquals(Outcome.TIMEOUT, failure("x[]1", 1_000_000_000L));
    assertEquals(1, value("x[]1", 97), "100 steps are still within the limit");
    assertEquals(Outcome.TIMEOUT, failure("x[]1", 98));
  }

  @Test
  void shouldFlagAStackDeeperThanTheLimitAsAViolation() throws DslSyntaxException {
    assertEquals(4, value("1234", 0));
    assertEquals(Outcome.VIOLATION, failure("12345", 0));
    assertEquals(Outcome.VIOLATION, failure("1234d", 0));
    assertEquals(Outcome.VIOLATION, failure("9[x]", 0));
  }
}
