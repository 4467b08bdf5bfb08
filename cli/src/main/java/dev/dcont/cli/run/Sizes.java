package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Docker's size strings ({@code 512m}, {@code 1g}, {@code 1.5g}, {@code 100k}, {@code 4096}) in bytes, binary units. */
public final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?");

  private Sizes() { }

  public static long parse(String flag, String value) {
    Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new Errors.UserError("invalid " + flag + " '" + value + "' (expected a size such as 512m or 1g)",
          Errors.RUN_FAILED);
    }
    double n = Double.parseDouble(m.group(1));
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      case "p" -> 50;
      default -> 0;
    };
    double bytes = n * (1L << shift);
    if (bytes > Long.MAX_VALUE / 2) {
      throw new Errors.UserError("invalid " + flag + " '" + value + "' (too large)", Errors.RUN_FAILED);
    }
    return (long) bytes;
  }
}
