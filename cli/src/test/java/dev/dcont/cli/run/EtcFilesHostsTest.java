package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container's own line of /etc/hosts, as Docker writes it. */
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
}
