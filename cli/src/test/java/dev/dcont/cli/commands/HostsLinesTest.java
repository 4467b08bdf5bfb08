package dev.dcont.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HostsLinesTest {
  @Test
  void aConnectedAddressIsAddedAndRemovedAlone() {
    String base = "127.0.0.1\tlocalhost\n10.1.0.2\tabc\n";
    String added = HostsLines.add(base, "10.2.0.5", "abc");
    assertEquals(base + "10.2.0.5\tabc\n", added);
    assertEquals(base, HostsLines.remove(added, "10.2.0.5"));
    assertEquals("a\n10.2.0.5\tabc\n", HostsLines.add("a", "10.2.0.5", "abc"));
    assertEquals(base, HostsLines.remove(base, "10.2.0.50"));
  }
}
