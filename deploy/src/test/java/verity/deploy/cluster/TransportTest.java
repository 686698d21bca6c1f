package verity.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where each transport may run. */
class TransportTest {
  @Test
  void shouldRunAeronOnLoopbackOnly() {
    assertEquals(Optional.empty(), Transport.AERON_UDP.refusal("127.0.0.1", "", false));
    assertEquals(Optional.empty(), Transport.AERON_UDP.refusal("localhost", "127.0.0.1", false));
    String wide = Transport.AERON_UDP.refusal("10.0.0.5", "", false).orElseThrow();
    assertTrue(wide.contains("10.0.0.5") && wide.contains("trusted-network"), wide);
    String bound = Transport.AERON_UDP.refusal("127.0.0.1", "0.0.0.0", false).orElseThrow();
    assertTrue(bound.contains("0.0.0.0"), bound);
  }

  @Test
  void shouldRunAeronAnywhereOnANetworkSaidToBeTrustedAndTcpAnywhere() {
    assertEquals(Optional.empty(), Transport.AERON_UDP.refusal("10.0.0.5", "0.0.0.0", true));
    assertEquals(Optional.empty(), Transport.TCP.refusal("10.0.0.5", "0.0.0.0", false));
  }
}
