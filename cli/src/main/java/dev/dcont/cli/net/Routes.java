package dev.dcont.cli.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The IPv4 routes of this network namespace (the kernel's /proc/net/route): the subnets a network must avoid. */
final class Routes {
  private Routes() { }

  static List<Subnet> ipv4() {
    List<Subnet> out = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/net/route"));
    } catch (IOException e) {
      return out;
    }
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8) {
        continue;
      }
      // little-endian hex; a default route (mask 0) covers everything and is no subnet to avoid
      int dest = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
      int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
      int prefix = Integer.bitCount(mask);
      if (prefix >= 8 && prefix <= 30) {
        out.add(new Subnet(dest, prefix));
      } else if (prefix > 30) {
        out.add(new Subnet(dest, 30));
      }
    }
    return out;
  }
}
