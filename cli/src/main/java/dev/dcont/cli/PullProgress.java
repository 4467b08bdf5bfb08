package dev.dcont.cli;

import dev.dcont.registry.PullEvent;
import java.io.PrintWriter;

/**
 * A pull's {@link PullEvent}s as Docker prints them: {@code TAG: Pulling from REPO}, per layer on a terminal one
 * line redrawn in place with a bar, bytes and rate, otherwise one plain line per status change, then
 * {@code Digest: …} and {@code Status: …}.
 */
public final class PullProgress {
  private static final String DOWNLOADING = "Downloading";
  private final PrintWriter out;
  private final boolean quiet;
  private final LayerLines lines;

  public PullProgress(PrintWriter out, boolean tty, boolean quiet) {
    this.out = out;
    this.quiet = quiet;
    this.lines = new LayerLines(out, tty, DOWNLOADING, true);
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

  private synchronized void update(String id, String status, long current, long total) {
    if (!quiet) {
      lines.update(id, status, current, total);
    }
  }
}
