package dev.dcont.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-layer progress as Docker prints it: on a terminal one line per layer redrawn in place
 * with a bar, bytes and rate; otherwise one plain line per status change.
 */
public final class PullProgress {
  private final PrintWriter out;
  private final boolean tty;
  private final boolean quiet;
  private final List<String> order = new ArrayList<>();
  private final Map<String, Line> lines = new HashMap<>();

  private static final class Line {
    String status = "";
    long current;
    long total;
    long firstNanos;
    long firstBytes;
    long lastDraw;
    String text = "";
  }

  public PullProgress(PrintWriter out, boolean tty, boolean quiet) {
    this.out = out;
    this.tty = tty;
    this.quiet = quiet;
  }

  /** Whether standard output is a terminal worth drawing on. */
  public static boolean isTerminal() {
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }

  public synchronized void message(String line) {
    if (!quiet) {
      out.println(line);
      out.flush();
    }
  }

  /** A layer's new status ({@code Downloading} with bytes so far of total). */
  public synchronized void update(String id, String status, long current, long total) {
    if (quiet) {
      return;
    }
    Line l = lines.get(id);
    boolean isNew = l == null;
    if (isNew) {
      l = new Line();
      lines.put(id, l);
      order.add(id);
    }
    boolean statusChanged = !status.equals(l.status);
    if (statusChanged && status.equals("Downloading")) {
      l.firstNanos = System.nanoTime();
      l.firstBytes = current;
    }
    l.status = status;
    l.current = current;
    l.total = total;
    if (!tty) {
      // as Docker without a terminal: status changes only, no byte counts
      if (statusChanged && !status.equals("Downloading")) {
        out.println(id + ": " + status);
        out.flush();
      }
      return;
    }
    long now = System.nanoTime();
    if (!statusChanged && now - l.lastDraw < 100_000_000L && current != total) {
      return;
    }
    l.lastDraw = now;
    l.text = render(id, l, now);
    if (isNew) {
      out.print(l.text + "\n");
    } else {
      int up = order.size() - order.indexOf(id);
      out.print("\033[" + up + "A\r\033[2K" + l.text + "\033[" + up + "B\r");
    }
    out.flush();
  }

  private static String render(String id, Line l, long now) {
    if (!l.status.equals("Downloading") || l.total <= 0) {
      return id + ": " + l.status;
    }
    int width = 50;
    int filled = (int) Math.min(width, l.current * width / l.total);
    String bar = "[" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled) + "]";
    double secs = Math.max(1e-3, (now - l.firstNanos) / 1e9);
    long rate = (long) ((l.current - l.firstBytes) / secs);
    return id + ": Downloading " + bar + " " + Format.size(l.current) + "/" + Format.size(l.total)
        + " " + Format.size(rate) + "/s";
  }
}
