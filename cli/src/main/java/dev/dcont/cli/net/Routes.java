package dev.dcont.cli.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The routes of this network namespace (the kernel's /proc/net/route and /proc/net/ipv6_route): the subnets a
 * network must avoid.
 */
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

  static List<Subnet6> ipv6() {
    List<Subnet6> out = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/net/ipv6_route"));
    } catch (IOException e) {
      return out;
    }
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 2 || f[0].length() != 32) {
        continue;
      }
      // big-endian hex; a default route (prefix 0) covers everything and is no subnet to avoid
      int prefix = Integer.parseInt(f[1], 16);
      if (prefix >= 8) {
        out.add(new Subnet6(new java.math.BigInteger(f[0], 16), Math.min(prefix, 126)));
      }
    }
    return out;
  }
}
