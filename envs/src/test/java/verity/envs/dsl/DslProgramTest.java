package verity.envs.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DslProgramTest {

  String rejection(String text) {
    return assertThrows(DslSyntaxException.class, () -> DslProgram.parse(text, 8)).getMessage();
  }

  @Test
  void shouldReadEveryOperation() throws DslSyntaxException {
    assertEquals("0123456789x+-*dspma[]", DslProgram.parse("0123456789x+-*dspma[]", 21).source());
  }

  @Test
  void shouldMatchNestedBrackets() throws DslSyntaxException {
    DslProgram p = DslProgram.parse("1[2[]]", 8);
    assertEquals(5, p.partner(1));
    assertEquals(1, p.partner(5));
    assertEquals(4, p.partner(3));
  }

  @Test
  void shouldRejectAnEmptyProgram() {
    assertTrue(rejection("").contains("empty"));
  }

  @Test
  void shouldRejectSymbolsThatAreNoOperation() {
    assertTrue(rejection("x=3").contains("'='"));
    assertTrue(rejection("x;").contains("';'"));
    assertTrue(rejection("<pad>x").contains("'<'"));
    assertTrue(rejection("x 3").contains("' '"));
  }

  @Test
  void shouldRejectUnbalancedBrackets() {
    assertTrue(rejection("3[x").contains("never closed"));
    assertTrue(rejection("x]").contains("closes no loop"));
    assertTrue(rejection("][").contains("closes no loop"));
  }

  @Test
  void shouldRejectProgramsLongerThanTheLimit() {
    assertTrue(rejection("123456789").contains("more than 8"));
  }
}
