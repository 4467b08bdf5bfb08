package dev.dcont.cli.net;

/** An IPv4 subnet in CIDR form, and IPv4 addresses as the ints they are (what IPAM counts with). */
public record Subnet(int base, int prefix) {
  public Subnet {
    if (prefix < 8 || prefix > 30) {
      throw new IllegalArgumentException("subnet prefix /" + prefix + " (dcont takes /8 to /30)");
    }
    base = base & mask(prefix);
  }

  /** {@code a.b.c.d/n}; an IllegalArgumentException of one line otherwise. */
  public static Subnet parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("invalid subnet '" + cidr + "' (CIDR form, e.g. 10.90.0.0/24)");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid subnet '" + cidr + "' (CIDR form, e.g. 10.90.0.0/24)");
    }
    return new Subnet(address(cidr.substring(0, slash)), prefix);
  }

  /** A dotted IPv4 address as an int. */
  public static int address(String dotted) {
    String[] p = dotted.split("\\.", -1);
    if (p.length != 4) {
      throw new IllegalArgumentException("invalid IPv4 address '" + dotted + "'");
    }
    int a = 0;
    for (String s : p) {
      int v;
      try {
        v = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid IPv4 address '" + dotted + "'");
      }
      if (v < 0 || v > 255 || s.isEmpty() || s.length() > 3) {
        throw new IllegalArgumentException("invalid IPv4 address '" + dotted + "'");
      }
      a = (a << 8) | v;
    }
    return a;
  }

  public static String text(int a) {
    return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
  }

  static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  public boolean contains(int a) {
    return (a & mask(prefix)) == base;
  }

  public boolean overlaps(Subnet o) {
    int p = Math.min(prefix, o.prefix);
    return (base & mask(p)) == (o.base & mask(p));
  }

  /** The first address after the network's own: the gateway, as Docker and podman take it. */
  public int firstHost() {
    return base + 1;
  }

  /** The last address before the broadcast address. */
  public int lastHost() {
    return (base | ~mask(prefix)) - 1;
  }

  @Override
  public String toString() {
    return text(base) + "/" + prefix;
  }
}
