package verity.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamSlotsTest {
  @Test
  void shouldGiveEachClientItsOwnShareAndTakeBackWhatEnds() {
    StreamSlots slots = new StreamSlots(2);
    assertTrue(slots.take("10.0.0.1"));
    assertTrue(slots.take("10.0.0.1"));
    assertFalse(slots.take("10.0.0.1"));
    assertTrue(slots.take("10.0.0.2"), "another client's share is its own");
    slots.release("10.0.0.1");
    assertEquals(1, slots.held("10.0.0.1"));
    assertTrue(slots.take("10.0.0.1"));
    slots.release("10.0.0.2");
    assertEquals(0, slots.held("10.0.0.2"));
  }
}
