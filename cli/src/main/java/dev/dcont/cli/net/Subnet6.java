package dev.dcont.cli.net;

import java.math.BigInteger;

/**
 * An IPv6 subnet in CIDR form, and IPv6 addresses as the 128-bit numbers they are (what IPAM counts with). Text is
 * written in RFC 5952's form (lower case, the longest run of zero groups as {@code ::}), as netavark and Docker
 * print addresses, so that an address read back from either compares equal as text.
 */
public record Subnet6(BigInteger base, int prefix) {
  private static final BigInteger ALL = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  public Subnet6 {
    if (prefix < 8 || prefix > 126) {
      throw new IllegalArgumentException("IPv6 subnet prefix /" + prefix + " (dcont takes /8 to /126)");
    }
    base = base.and(mask(prefix));
  }

  /** {@code fd00:1::/64}; an IllegalArgumentException of one line otherwise. */
  public static Subnet6 parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("invalid subnet '" + cidr + "' (CIDR form, e.g. fd00:1::/64)");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid subnet '" + cidr + "' (CIDR form, e.g. fd00:1::/64)");
    }
    return new Subnet6(address(cidr.substring(0, slash)), prefix);
  }

  /** Whether {@code text} is written as an IPv6 address or subnet is (it has a colon); not whether it is valid. */
  public static boolean looksV6(String text) {
    return text.indexOf(':') >= 0;
  }

  /** An IPv6 address ({@code ::} once at most, a dotted IPv4 tail allowed) as a number. */
  public static BigInteger address(String text) {
    String t = text;
    int dc = t.indexOf("::");
    if (dc != t.lastIndexOf("::") || t.contains(":::") || t.isEmpty()) {
      throw bad(text);
    }
    String[] head = groups(dc < 0 ? t : t.substring(0, dc), text);
    String[] tail = dc < 0 ? new String[0] : groups(t.substring(dc + 2), text);
    int[] words = new int[8];
    int[] h = words(head, text, dc < 0);
    int[] tl = words(tail, text, true);
    if (dc < 0 ? h.length != 8 : h.length + tl.length > 7) {
      throw bad(text);
    }
    System.arraycopy(h, 0, words, 0, h.length);
    System.arraycopy(tl, 0, words, 8 - tl.length, tl.length);
    BigInteger a = BigInteger.ZERO;
    for (int w : words) {
      a = a.shiftLeft(16).or(BigInteger.valueOf(w));
    }
    return a;
  }

  private static String[] groups(String part, String text) {
    if (part.isEmpty()) {
      return new String[0];
    }
    String[] g = part.split(":", -1);
    for (String s : g) {
      if (s.isEmpty()) {
        throw bad(text);
      }
    }
    return g;
  }

  /** The 16-bit words of {@code groups}; the last may be a dotted IPv4 address (two words) when {@code last}. */
  private static int[] words(String[] groups, String text, boolean last) {
    boolean v4 = last && groups.length > 0 && groups[groups.length - 1].contains(".");
    int[] out = new int[groups.length + (v4 ? 1 : 0)];
    for (int i = 0; i < groups.length; i++) {
      String g = groups[i];
      if (v4 && i == groups.length - 1) {
        int a;
        try {
          a = Subnet.address(g);
        } catch (IllegalArgumentException e) {
          throw bad(text);
        }
        out[i] = a >>> 16;
        out[i + 1] = a & 0xffff;
        continue;
      }
      if (g.length() > 4) {
        throw bad(text);
      }
      try {
        out[i] = Integer.parseInt(g, 16);
      } catch (NumberFormatException e) {
        throw bad(text);
      }
      if (g.startsWith("+") || g.startsWith("-")) {
        throw bad(text);
      }
    }
    return out;
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException("invalid IPv6 address '" + text + "'");
  }

  /** RFC 5952's text of an address. */
  public static String text(BigInteger a) {
    int[] w = new int[8];
    for (int i = 0; i < 8; i++) {
      w[i] = a.shiftRight(16 * (7 - i)).intValue() & 0xffff;
    }
    int best = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && w[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == best) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(w[i]));
    }
    return sb.toString();
  }

  static BigInteger mask(int prefix) {
    return ALL.shiftRight(prefix).xor(ALL);
  }

  public boolean contains(BigInteger a) {
    return a.and(mask(prefix)).equals(base);
  }

  public boolean overlaps(Subnet6 o) {
    BigInteger m = mask(Math.min(prefix, o.prefix));
    return base.and(m).equals(o.base.and(m));
  }

  /** The first address after the network's own: the gateway, as Docker and podman take it. */
  public BigInteger firstHost() {
    return base.add(BigInteger.ONE);
  }

  /** The last address but one of the subnet (the last is left out as podman's IPAM leaves it out). */
  public BigInteger lastHost() {
    return base.or(ALL.shiftRight(prefix)).subtract(BigInteger.ONE);
  }

  /**
   * A unique local /64 as RFC 4193 asks for one and podman picks it: {@code fd} and 56 random bits, the interface
   * part zero. {@code random} gives the bits (7 bytes at least).
   */
  public static Subnet6 ula(byte[] random) {
    BigInteger a = BigInteger.valueOf(0xfd);
    for (int i = 0; i < 7; i++) {
      a = a.shiftLeft(8).or(BigInteger.valueOf(random[i] & 0xff));
    }
    return new Subnet6(a.shiftLeft(64), 64);
  }

  @Override
  public String toString() {
    return text(base) + "/" + prefix;
  }
}
