package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EtcLinesTest {
  @Test
  void aConnectedAddressIsAddedAndRemovedAlone() {
    String base = "127.0.0.1\tlocalhost\n10.1.0.2\tabc\n";
    String added = EtcLines.add(base, "10.2.0.5", "abc");
    assertEquals(base + "10.2.0.5\tabc\n", added);
    assertEquals(base, EtcLines.remove(added, "10.2.0.5"));
    assertEquals("a\n10.2.0.5\tabc\n", EtcLines.add("a", "10.2.0.5", "abc"));
    assertEquals(base, EtcLines.remove(base, "10.2.0.50"));
  }

  @Test
  void aStartPutsTheAddressesOfNowWhereTheOldOnesWereAndKeepsAddedHosts() {
    String old = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n10.1.0.2\tabc\n10.2.0.5\tabc\n1.2.3.4\tdb\n";
    assertEquals("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n10.3.0.2\tabc\n10.1.0.7\tabc\n1.2.3.4\tdb\n",
        EtcLines.own(old, "abc", List.of("10.3.0.2", "10.1.0.7")));
    assertEquals("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n127.0.1.1\tabc\n1.2.3.4\tdb\n",
        EtcLines.own(old, "abc", List.of()));
  }

  @Test
  void nameServersOfANetworkComeAndGoAndTheOthersStay() {
    String base = "search example.org\nnameserver 10.1.0.1\noptions ndots:2\n";
    String added = EtcLines.nameservers(base, List.of("10.2.0.1"), false);
    assertEquals("search example.org\nnameserver 10.2.0.1\nnameserver 10.1.0.1\noptions ndots:2\n", added);
    assertEquals("search example.org\nnameserver 10.2.0.1\noptions ndots:2\n",
        EtcLines.withoutNameservers(added, List.of("10.1.0.1")));
    assertEquals("search example.org\nnameserver 9.9.9.9\noptions ndots:2\n",
        EtcLines.nameservers(added, List.of("9.9.9.9"), true));
    assertEquals("search x\nnameserver 10.2.0.1\n", EtcLines.nameservers("search x\n", List.of("10.2.0.1"), false));
  }
}
