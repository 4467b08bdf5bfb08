package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container's own line of /etc/hosts and its resolv.conf from the host's, as Docker writes them. */
class EtcFilesHostsTest {
  @TempDir
  Path dir;

  private String ownLine(String hostname) throws Exception {
    EtcFiles.write(dir, hostname, false);
    List<String> lines = Files.readAllLines(dir.resolve("hosts"));
    return lines.get(lines.size() - 1);
  }

  @Test
  void aHostnameWithADomainIsAlsoWrittenByItsFirstLabel() throws Exception {
    assertEquals("127.0.1.1\tweb.example.com web", ownLine("web.example.com"));
    assertEquals("127.0.1.1\tweb", ownLine("web"));
  }

  @Test
  void loopbackResolversOfTheHostAreLeftOutWhateverTheBlanksAndNoneLeftGivesDockersDefaults() {
    assertEquals("search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n", EtcFiles.resolvConf(List.of(),
        List.of("nameserver\t127.0.0.1", "search lan", "  nameserver   0:0:0:0:0:0:0:1  "), List.of()));
    assertEquals("nameserver 10.0.0.2\n", EtcFiles.resolvConf(List.of(),
        List.of("nameserver 127.0.0.1", "nameserver 10.0.0.2"), List.of()));
    assertEquals("nameserver 10.1.1.1\n", EtcFiles.resolvConf(List.of(),
        List.of("nameserver\t127.0.0.53"), List.of("nameserver 10.1.1.1")));
    assertEquals("search lan\nnameserver 10.90.0.1\n", EtcFiles.resolvConf(List.of("10.90.0.1"),
        List.of("nameserver 127.0.0.1", "search lan"), List.of()));
  }

  @Test
  void addedHostsComeBeforeTheContainersOwnLineAsInDockers() throws Exception {
    EtcFiles.write(dir, "web", false, null, EtcOptions.parse(List.of(), List.of(), List.of(),
        List.of("db:10.1.2.3", "cache:10.1.2.4")));
    List<String> lines = Files.readAllLines(dir.resolve("hosts"));
    assertEquals(List.of("10.1.2.3\tdb", "10.1.2.4\tcache", "127.0.1.1\tweb"),
        lines.subList(lines.size() - 3, lines.size()));
  }
}
