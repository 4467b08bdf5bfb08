package dev.dcont.cli.commands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The container's own /etc/hosts (the file of its directory in the store, bind-mounted) gains or loses the line
 * of its address on a network connected later, as Docker's does. The file is written in place, never replaced:
 * the container sees the bind-mounted inode.
 */
final class HostsLines {
  private HostsLines() { }

  /** Adds {@code ADDRESS<TAB>HOSTNAME} (the container's hostname, from its etc files) to {@code etc/hosts}. */
  static void add(Path etc, String address) throws IOException {
    Path hosts = etc.resolve("hosts");
    if (!Files.isRegularFile(hosts) || !Files.isRegularFile(etc.resolve("hostname"))) {
      return;
    }
    String hostname = Files.readString(etc.resolve("hostname")).strip();
    Files.writeString(hosts, add(Files.readString(hosts), address, hostname), StandardCharsets.UTF_8,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** Removes the lines of {@code address} from {@code etc/hosts}. */
  static void remove(Path etc, String address) throws IOException {
    Path hosts = etc.resolve("hosts");
    if (Files.isRegularFile(hosts)) {
      Files.writeString(hosts, remove(Files.readString(hosts), address), StandardCharsets.UTF_8,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }
  }

  static String add(String text, String address, String hostname) {
    return (text.isEmpty() || text.endsWith("\n") ? text : text + "\n") + address + "\t" + hostname + "\n";
  }

  static String remove(String text, String address) {
    List<String> kept = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String[] f = line.strip().split("\\s+");
      if (!f[0].equals(address)) {
        kept.add(line);
      }
    }
    return String.join("\n", kept);
  }
}
