package dev.dcont.layers.tar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** PAX extended header records and the numbers and times in them, read as Go's archive/tar reads them. */
final class Pax {
  private Pax() { }

  /** A PAX value shown in an error: cut short, control characters replaced. */
  static String shown(String v) {
    String c = v.replaceAll("\\p{Cntrl}", "?");
    return c.length() > 40 ? c.substring(0, 40) + "…" : c;
  }

  /** A PAX number: decimal digits only, as no writer puts a sign or spaces, at most {@code max}. */
  static long number(String entry, String key, String v, long max) throws TarHeaderException {
    if (!v.isEmpty() && v.length() <= 19 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      long n = Long.parseLong(v);
      if (n <= max) {
        return n;
      }
    }
    throw new TarHeaderException(entry, "has PAX record " + key + "='" + shown(v) + "', not a number from 0 to "
        + max);
  }

  /**
   * A PAX time in nanoseconds, read as Go's parsePAXTime: {@code [-]SECONDS[.FRACTION]}, seconds in 64 bits, the
   * fraction cut to nanoseconds. Refused when the nanoseconds do not fit in 64 bits (after the year 2262).
   */
  static long time(String entry, String key, String v) throws TarHeaderException {
    int dot = v.indexOf('.');
    String secs = dot < 0 ? v : v.substring(0, dot);
    String frac = dot < 0 ? "" : v.substring(dot + 1);
    boolean negative = secs.startsWith("-");
    String digits = negative ? secs.substring(1) : secs;
    if (!digits.isEmpty() && digits.length() <= 19 && digits.chars().allMatch(c -> c >= '0' && c <= '9')
        && frac.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        long nanos = Long.parseLong((frac + "000000000").substring(0, 9));
        long t = Math.addExact(Math.multiplyExact(Long.parseLong(digits), 1_000_000_000L), nanos);
        return negative ? -t : t;
      } catch (NumberFormatException | ArithmeticException e) {
        // out of range: refused below
      }
    }
    throw new TarHeaderException(entry, "has PAX record " + key + "='" + shown(v) + "', not a time in seconds "
        + "that fits in 64 bits of nanoseconds");
  }

  /**
   * Parses PAX records ({@code "LEN key=value\n"}) into {@code into}; values stay raw bytes. {@code name} is the
   * extended header's own, for errors.
   */
  static Map<String, byte[]> parse(String name, byte[] data, Map<String, byte[]> into) throws IOException {
    int i = 0;
    while (i < data.length) {
      if (data[i] == 0) {
        break;
      }
      int sp = i;
      int len = 0;
      while (sp < data.length && data[sp] != ' ') {
        // the length is bounded by what is left, so it cannot overflow
        if (data[sp] < '0' || data[sp] > '9' || len > data.length) {
          throw malformed(name, i);
        }
        len = len * 10 + (data[sp] - '0');
        sp++;
      }
      int end = i + len;
      if (len <= sp - i + 1 || end > data.length || data[end - 1] != '\n') {
        throw malformed(name, i);
      }
      int eq = sp + 1;
      while (eq < end && data[eq] != '=') {
        eq++;
      }
      if (eq >= end || eq == sp + 1) {
        throw malformed(name, i);
      }
      String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
      if (value.length == 0) {
        into.remove(key);
      } else {
        into.put(key, value);
      }
      i = end;
    }
    return into;
  }

  private static TarHeaderException malformed(String name, int at) {
    return new TarHeaderException(name, "has a malformed PAX record at byte " + at + " of its extended header");
  }
}
