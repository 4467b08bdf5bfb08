package dev.dcont.cli;

import dev.dcont.registry.PushEvent;
import java.io.PrintWriter;

/**
 * A push's {@link PushEvent}s as Docker prints them: {@code The push refers to repository [REPO]}, per layer
 * {@code Preparing}, {@code Waiting}, {@code Pushing}, then {@code Pushed}, {@code Layer already exists} or
 * {@code Mounted from OTHER}, and {@code TAG: digest: sha256:… size: N}. On a terminal a layer's line is redrawn in
 * place (with a bar while it uploads), otherwise each status change is one line and byte counts are left out.
 */
public final class PushProgress {
  private static final String PUSHING = "Pushing";
  private final PrintWriter out;
  private final boolean quiet;
  private final LayerLines lines;
  private String repository;

  public PushProgress(PrintWriter out, boolean tty, boolean quiet) {
    this.out = out;
    this.quiet = quiet;
    this.lines = new LayerLines(out, tty, PUSHING, false);
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
      lines.clear();
    } else if (event instanceof PushEvent.Pushed e) {
      line(e.tag() + ": digest: " + e.digest() + " size: " + e.size());
    } else if (event instanceof PushEvent.LayerPushing e) {
      lines.update(e.layer().shortHex(), PUSHING, e.complete(), e.total());
    } else if (event instanceof PushEvent.LayerEvent e) {
      lines.update(e.layer().shortHex(), layerStatus(e), 0, 0);
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
}
