package dev.dcont.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Human formats as Docker prints them: sizes in SI units, ages, tables. */
public final class Format {
  private Format() { }

  /** {@code 4.26MB}, as Docker's {@code units.HumanSize} (decimal, 3 significant digits). */
  public static String size(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = bytes;
    int i = 0;
    while (v >= 1000 && i < units.length - 1) {
      v /= 1000;
      i++;
    }
    String num = String.format(Locale.ROOT, "%.4g", v);
    if (num.contains(".")) {
      num = num.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return num + units[i];
  }

  /** {@code 3 days ago}, as Docker's {@code units.HumanDuration}. */
  public static String ago(Instant then, Instant now) {
    if (then == null) {
      return "N/A";
    }
    long s = Duration.between(then, now).getSeconds();
    if (s < 1) {
      return "Less than a second ago";
    }
    if (s == 1) {
      return "1 second ago";
    }
    if (s < 60) {
      return s + " seconds ago";
    }
    long m = s / 60;
    if (m == 1) {
      return "About a minute ago";
    }
    if (m < 60) {
      return m + " minutes ago";
    }
    long h = Math.round(m / 60.0);
    if (h == 1) {
      return "About an hour ago";
    }
    if (h < 48) {
      return h + " hours ago";
    }
    long d = h / 24;
    if (d < 14) {
      return d + " days ago";
    }
    if (d < 60) {
      return d / 7 + " weeks ago";
    }
    if (d < 365 * 2) {
      return d / 30 + " months ago";
    }
    return d / 365 + " years ago";
  }

  public static Instant parseInstant(String iso) {
    if (iso == null || iso.isEmpty()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(iso).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** A table with columns padded as Docker's tabwriter (3 spaces between columns). */
  public static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    public Table(String... header) {
      rows.add(header);
    }

    public Table row(String... cells) {
      rows.add(cells);
      return this;
    }

    @Override
    public String toString() {
      int cols = rows.get(0).length;
      int[] w = new int[cols];
      for (String[] r : rows) {
        for (int i = 0; i < cols; i++) {
          w[i] = Math.max(w[i], r[i] == null ? 0 : r[i].length());
        }
      }
      StringBuilder sb = new StringBuilder();
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cols; i++) {
          String c = r[i] == null ? "" : r[i];
          line.append(c);
          if (i < cols - 1) {
            line.append(" ".repeat(w[i] - c.length() + 3));
          }
        }
        sb.append(line.toString().stripTrailing()).append('\n');
      }
      return sb.toString();
    }
  }
}
