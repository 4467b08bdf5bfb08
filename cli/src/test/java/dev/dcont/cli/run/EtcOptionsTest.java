package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.Errors;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcOptionsTest {
  private static final String HOST = "# the host's\nsearch lan\nnameserver 10.0.0.1\noptions edns0\n";

  @Test
  void dnsReplacesTheNameServersAndSearchAndOptionsTheirLines() {
    EtcOptions o = EtcOptions.parse(List.of("192.0.2.53", "2001:db8::1"), List.of("a.test", "b.test"),
        List.of("ndots:3", "timeout:1"), List.of());
    assertEquals("# the host's\nnameserver 192.0.2.53\nnameserver 2001:db8::1\nsearch a.test b.test\n"
        + "options ndots:3 timeout:1\n", o.resolvConf(HOST, false));
  }

  @Test
  void onANetworkWithNamesTheNameServerStaysAardvark() {
    EtcOptions o = EtcOptions.parse(List.of("192.0.2.53"), List.of(), List.of(), List.of());
    assertEquals("search lan\nnameserver 10.89.0.1\n", o.resolvConf("search lan\nnameserver 10.89.0.1\n", true));
  }

  @Test
  void eachFlagReplacesOnlyItsOwnLinesAndADotSearchIsNone() {
    assertEquals("# the host's\nnameserver 10.0.0.1\noptions edns0\n",
        EtcOptions.parse(List.of(), List.of("."), List.of(), List.of()).resolvConf(HOST, false));
    assertEquals("# the host's\nsearch lan\nnameserver 10.0.0.1\noptions rotate\n",
        EtcOptions.parse(List.of(), List.of(), List.of("rotate"), List.of()).resolvConf(HOST, false));
    assertEquals(HOST, EtcOptions.NONE.resolvConf(HOST, false));
  }

  @Test
  void addHostLinesWithTheBridgeForHostGateway() {
    EtcOptions o = EtcOptions.parse(List.of(), List.of(), List.of(),
        List.of("db:10.1.2.3", "gw:host-gateway", "six:::1"));
    assertTrue(o.wantsHostGateway());
    assertEquals("10.1.2.3\tdb\n172.17.0.1\tgw\n::1\tsix\n", o.hostsLines("172.17.0.1"));
    Errors.UserError e = assertThrows(Errors.UserError.class, () -> o.hostsLines(null));
    assertTrue(e.getMessage().contains("host-gateway"), e.getMessage());
    assertFalse(EtcOptions.parse(List.of(), List.of(), List.of(), List.of("db:10.1.2.3")).wantsHostGateway());
  }

  @Test
  void badValuesAreOneLineInDockersWords() {
    assertEquals("invalid argument \"nope\" for \"--dns\" flag: nope is not an ip address",
        assertThrows(Errors.UserError.class,
            () -> EtcOptions.parse(List.of("nope"), List.of(), List.of(), List.of())).getMessage());
    assertEquals("invalid argument \"db\" for \"--add-host\" flag: bad format for add-host: \"db\" (NAME:IP)",
        assertThrows(Errors.UserError.class,
            () -> EtcOptions.parse(List.of(), List.of(), List.of(), List.of("db"))).getMessage());
    Errors.UserError ip = assertThrows(Errors.UserError.class,
        () -> EtcOptions.parse(List.of(), List.of(), List.of(), List.of("db:example.com")));
    assertEquals("invalid argument \"db:example.com\" for \"--add-host\" flag: invalid IP address in add-host:"
        + " \"example.com\"", ip.getMessage());
    assertEquals(Errors.RUN_FAILED, ip.code());
    for (String bad : new String[] {"1.2.3.256", "1.2.3", "localhost", ":::x", ""}) {
      assertFalse(EtcOptions.isAddress(bad), bad);
    }
    assertThrows(Errors.UserError.class, () -> EtcOptions.parse(List.of(), List.of("a b"), List.of(), List.of()));
    assertThrows(Errors.UserError.class, () -> EtcOptions.parse(List.of(), List.of(), List.of(""), List.of()));
  }
}
