package dev.dcont.cli;

import dev.dcont.registry.PullEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pull's {@link PullEvent}s as Docker prints them: {@code TAG: Pulling from REPO}, per layer on a terminal one
 * line redrawn in place with a bar, bytes and rate, otherwise one plain line per status change, then
 * {@code Digest: …} and {@code Status: …}.
 */
public final class PullProgress {
  private static final String DOWNLOADING = "Downloading";
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

  /** Prints {@code event} in Docker's words. */
  public void event(PullEvent event) {
    if (event instanceof PullEvent.LayerEvent e) {
      if (e instanceof PullEvent.LayerDownloading d) {
        update(d.layer().shortHex(), DOWNLOADING, d.complete(), d.total());
      } else {
        update(e.layer().shortHex(), layerStatus(e), 0, 0);
      }
    } else if (event instanceof PullEvent.PullingFrom e) {
      message(e.tagOrDigest() + ": Pulling from " + e.repository());
    } else if (event instanceof PullEvent.Resolved e) {
      message("Digest: " + e.digest());
    } else if (event instanceof PullEvent.Finished e) {
      message((e.downloaded() ? "Status: Downloaded newer image for " : "Status: Image is up to date for ")
          + e.name());
    } else {
      throw new IllegalArgumentException("no wording for " + event);
    }
  }

  /** Docker's word for a layer's status. */
  static String layerStatus(PullEvent.LayerEvent e) {
    if (e instanceof PullEvent.LayerExists) {
      return "Already exists";
    } else if (e instanceof PullEvent.LayerQueued) {
      return "Pulling fs layer";
    } else if (e instanceof PullEvent.LayerWaiting) {
      return "Waiting";
    } else if (e instanceof PullEvent.LayerDownloading) {
      return DOWNLOADING;
    } else if (e instanceof PullEvent.LayerVerifying) {
      return "Verifying Checksum";
    } else if (e instanceof PullEvent.LayerDownloaded) {
      return "Download complete";
    } else if (e instanceof PullEvent.LayerExtracting) {
      return "Extracting";
    } else if (e instanceof PullEvent.LayerComplete) {
      return "Pull complete";
    }
    throw new IllegalArgumentException("no wording for " + e);
  }

  private synchronized void message(String line) {
    if (!quiet) {
      out.println(line);
      out.flush();
    }
  }

  /** A layer's new status ({@code Downloading} with bytes so far of total). */
  private synchronized void update(String id, String status, long current, long total) {
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
    if (statusChanged && status.equals(DOWNLOADING)) {
      l.firstNanos = System.nanoTime();
      l.firstBytes = current;
    }
    l.status = status;
    l.current = current;
    l.total = total;
    if (!tty) {
      // as Docker without a terminal: status changes only, no byte counts
      if (statusChanged && !status.equals(DOWNLOADING)) {
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
    if (!l.status.equals(DOWNLOADING) || l.total <= 0) {
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
