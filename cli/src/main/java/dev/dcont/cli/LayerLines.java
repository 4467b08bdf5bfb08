package dev.dcont.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's per-layer progress lines, shared by pull and push: {@code ID: STATUS}, one line per layer. On a terminal a
 * layer's line is redrawn in place (with a bar and byte counts while its bytes move, at most every 100 ms unless its
 * status changed or it finished); otherwise each status change is one plain line and byte counts are left out, as
 * Docker prints without a terminal.
 */
final class LayerLines {
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final int BAR_WIDTH = 50;
  private final PrintWriter out;
  private final boolean tty;
  private final String moving;
  private final boolean rate;
  private final List<String> order = new ArrayList<>();
  private final Map<String, Line> lines = new HashMap<>();

  private static final class Line {
    String status = "";
    long firstNanos;
    long firstBytes;
    long lastDraw;
  }

  /**
   * @param moving the status under which a layer's bytes move ({@code Downloading}, {@code Pushing})
   * @param rate whether a moving line ends with its rate, as Docker's pull does
   */
  LayerLines(PrintWriter out, boolean tty, String moving, boolean rate) {
    this.out = out;
    this.tty = tty;
    this.moving = moving;
    this.rate = rate;
  }

  /** Forgets the layers drawn so far: the next ones are drawn below them. */
  void clear() {
    order.clear();
    lines.clear();
  }

  /** A layer's new status, with bytes so far of total while it is the moving status. */
  void update(String id, String status, long current, long total) {
    Line l = lines.get(id);
    boolean isNew = l == null;
    if (isNew) {
      l = new Line();
      lines.put(id, l);
      order.add(id);
    }
    boolean changed = !status.equals(l.status);
    l.status = status;
    long now = System.nanoTime();
    if (changed && status.equals(moving)) {
      l.firstNanos = now;
      l.firstBytes = current;
    }
    if (!tty) {
      if (changed && !status.equals(moving)) {
        out.println(id + ": " + status);
        out.flush();
      }
      return;
    }
    if (!changed && now - l.lastDraw < REDRAW_NANOS && current != total) {
      return;
    }
    l.lastDraw = now;
    String text = render(id, l, current, total, now);
    if (isNew) {
      out.print(text + "\n");
    } else {
      int up = order.size() - order.indexOf(id);
      out.print("\033[" + up + "A\r\033[2K" + text + "\033[" + up + "B\r");
    }
    out.flush();
  }

  private String render(String id, Line l, long current, long total, long now) {
    String text = id + ": " + l.status;
    if (!l.status.equals(moving) || total <= 0) {
      return text;
    }
    int filled = (int) Math.min(BAR_WIDTH, current * BAR_WIDTH / total);
    text += " [" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(BAR_WIDTH - filled)
        + "] " + Format.size(current) + "/" + Format.size(total);
    if (rate) {
      double secs = Math.max(1e-3, (now - l.firstNanos) / 1e9);
      text += " " + Format.size((long) ((current - l.firstBytes) / secs)) + "/s";
    }
    return text;
  }
}
