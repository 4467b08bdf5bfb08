package dev.dcont.cli;

import dev.dcont.layers.ImageUnpacker;
import dev.dcont.layers.Snapshot;
import dev.dcont.store.db.ImageRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A load's layers as Docker prints them: {@code ID: Loading layer}, ID being the layer's diff ID shortened. On a
 * terminal the line is redrawn in place with a bar and the bytes read of the layer's blob, as a pull's; otherwise
 * it is one plain line per layer, without byte counts. A layer the store had already is not loading, and is left
 * out, as Docker leaves it out.
 */
public final class LoadProgress implements ImageUnpacker.Listener {
  private static final String LOADING = "Loading layer";
  private final PrintWriter out;
  private final boolean tty;
  private final List<String> order = new ArrayList<>();
  private final Map<String, Long> drawn = new HashMap<>();

  public LoadProgress(PrintWriter out, boolean tty) {
    this.out = out;
    this.tty = tty;
  }

  @Override
  public void unpacking(ImageRecord.Layer layer) {
    update(layer, 0, false);
  }

  @Override
  public void read(ImageRecord.Layer layer, long read) {
    update(layer, read, false);
  }

  @Override
  public void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean existed) {
    if (!existed) {
      update(layer, layer.size(), true);
    }
  }

  private synchronized void update(ImageRecord.Layer layer, long read, boolean done) {
    String id = layer.diffId().shortHex();
    boolean isNew = !drawn.containsKey(id);
    if (!tty) {
      if (isNew) {
        drawn.put(id, 0L);
        out.println(id + ": " + LOADING);
        out.flush();
      }
      return;
    }
    long now = System.nanoTime();
    if (!isNew && !done && now - drawn.get(id) < 100_000_000L) {
      return;
    }
    drawn.put(id, now);
    long total = layer.size();
    int width = 50;
    int filled = total <= 0 ? width : (int) Math.min(width, read * width / total);
    String text = id + ": " + LOADING + " [" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "")
        + " ".repeat(width - filled) + "] " + Format.size(Math.min(read, total)) + "/" + Format.size(total);
    if (isNew) {
      order.add(id);
      out.print(text + "\n");
    } else {
      int up = order.size() - order.indexOf(id);
      out.print("\033[" + up + "A\r\033[2K" + text + "\033[" + up + "B\r");
    }
    out.flush();
  }
}
