package dev.dcont.cli;

import dev.dcont.registry.PushEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A push's {@link PushEvent}s as Docker prints them: {@code The push refers to repository [REPO]}, per layer
 * {@code Preparing}, {@code Waiting}, {@code Pushing}, then {@code Pushed}, {@code Layer already exists} or
 * {@code Mounted from OTHER}, and {@code TAG: digest: sha256:… size: N}. On a terminal a layer's line is redrawn in
 * place (with a bar while it uploads), otherwise each status change is one line and byte counts are left out.
 */
public final class PushProgress {
  private static final String PUSHING = "Pushing";
  private final PrintWriter out;
  private final boolean tty;
  private final boolean quiet;
  private final List<String> order = new ArrayList<>();
  private final Map<String, String> statuses = new HashMap<>();
  private final Map<String, Long> drawn = new HashMap<>();
  private String repository;

  public PushProgress(PrintWriter out, boolean tty, boolean quiet) {
    this.out = out;
    this.tty = tty;
    this.quiet = quiet;
  }

  /** Prints {@code event} in Docker's words. */
  public synchronized void event(PushEvent event) {
    if (quiet) {
      return;
    }
    if (event instanceof PushEvent.PushingTo e) {
      // --all-tags pushes each tag of one repository: Docker names it once
      if (!e.repository().equals(repository)) {
        repository = e.repository();
        line("The push refers to repository [" + e.repository() + "]");
      }
      order.clear();
      statuses.clear();
    } else if (event instanceof PushEvent.Pushed e) {
      line(e.tag() + ": digest: " + e.digest() + " size: " + e.size());
    } else if (event instanceof PushEvent.LayerPushing e) {
      update(e.layer().shortHex(), PUSHING, e.complete(), e.total());
    } else if (event instanceof PushEvent.LayerEvent e) {
      update(e.layer().shortHex(), layerStatus(e), 0, 0);
    } else {
      throw new IllegalArgumentException("no wording for " + event);
    }
  }

  /** Docker's words for a layer's status. */
  static String layerStatus(PushEvent.LayerEvent e) {
    if (e instanceof PushEvent.LayerPreparing) {
      return "Preparing";
    } else if (e instanceof PushEvent.LayerWaiting) {
      return "Waiting";
    } else if (e instanceof PushEvent.LayerPushing) {
      return PUSHING;
    } else if (e instanceof PushEvent.LayerPushed) {
      return "Pushed";
    } else if (e instanceof PushEvent.LayerExists) {
      return "Layer already exists";
    } else if (e instanceof PushEvent.LayerMounted m) {
      return "Mounted from " + m.from();
    }
    throw new IllegalArgumentException("no wording for " + e);
  }

  private void line(String text) {
    out.println(text);
    out.flush();
  }

  private void update(String id, String status, long current, long total) {
    String before = statuses.put(id, status);
    boolean isNew = before == null;
    if (isNew) {
      order.add(id);
    }
    boolean changed = !status.equals(before);
    if (!tty) {
      if (changed && !status.equals(PUSHING)) {
        line(id + ": " + status);
      }
      return;
    }
    long now = System.nanoTime();
    if (!changed && now - drawn.getOrDefault(id, 0L) < 100_000_000L && current != total) {
      return;
    }
    drawn.put(id, now);
    String text = id + ": " + status;
    if (status.equals(PUSHING) && total > 0) {
      int width = 50;
      int filled = (int) Math.min(width, current * width / total);
      text += " [" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled)
          + "] " + Format.size(current) + "/" + Format.size(total);
    }
    if (isNew) {
      out.print(text + "\n");
    } else {
      int up = order.size() - order.indexOf(id);
      out.print("\033[" + up + "A\r\033[2K" + text + "\033[" + up + "B\r");
    }
    out.flush();
  }
}
