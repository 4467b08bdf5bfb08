package dev.dcont.cli;

import dev.dcont.layers.ImageUnpacker;
import dev.dcont.layers.Snapshot;
import dev.dcont.store.db.ImageRecord;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Set;

/**
 * A load's layers as Docker prints them: {@code ID: Loading layer}, ID being the layer's diff ID shortened. On a
 * terminal the line is redrawn in place with a bar and the bytes read of the layer's blob, as a pull's; otherwise
 * it is one plain line per layer, without byte counts. A layer the store had already is not loading, and is left
 * out, as Docker leaves it out.
 */
public final class LoadProgress implements ImageUnpacker.Listener {
  private static final String LOADING = "Loading layer";
  private final PrintWriter out;
  private final LayerLines terminal;
  private final Set<String> seen = new HashSet<>();

  public LoadProgress(PrintWriter out, boolean tty) {
    this.out = out;
    this.terminal = tty ? new LayerLines(out, true, LOADING, false) : null;
  }

  @Override
  public void unpacking(ImageRecord.Layer layer) {
    update(layer, 0);
  }

  @Override
  public void read(ImageRecord.Layer layer, long read) {
    update(layer, read);
  }

  @Override
  public void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean existed) {
    if (!existed) {
      update(layer, layer.size());
    }
  }

  private synchronized void update(ImageRecord.Layer layer, long read) {
    String id = layer.diffId().shortHex();
    if (terminal != null) {
      terminal.update(id, LOADING, Math.min(read, layer.size()), layer.size());
    } else if (seen.add(id)) {
      out.println(id + ": " + LOADING);
      out.flush();
    }
  }
}
