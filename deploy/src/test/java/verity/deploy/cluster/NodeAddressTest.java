package verity.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NodeAddressTest {

  @Test
  void shouldDrawFreePortsBelowTheSystemsEphemeralRange() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    assertTrue(Files.isReadable(range), "Verity runs on Linux: no " + range);
    int low = Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]);
    for (int i = 0; i < 20; i++) {
      int port = NodeAddress.freePort("127.0.0.1");
      if (low > 10_000) {
        assertTrue(port >= 10_000 && port < low, port + " lies in the ephemeral range from " + low);
      } // else no room below the range: any port free for both is drawn
      assertTrue(new NodeAddress("127.0.0.1", port).isFree(Transport.TCP));
      assertTrue(new NodeAddress("127.0.0.1", port).isFree(Transport.AERON_UDP));
    }
  }
}
