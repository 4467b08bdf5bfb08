package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.Format;
import dev.dcont.cli.FormatOption;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.layers.LayerInspector;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dcont diff IMAGE [LAYER]}: what each layer adds (A), changes (C) and deletes (D), and the bytes
 * later layers hide. {@code --max-wasted} makes it a CI gate.
 */
@Command(name = "diff", description = "Show files each layer of an image adds, changes and deletes, and wasted space.")
public final class DiffCommand implements Callable<Integer> {
  /** Exit code when the wasted space is over the threshold. */
  public static final int OVER_THRESHOLD = 3;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  @Parameters(index = "1", arity = "0..1", paramLabel = "LAYER",
      description = "Layer index (0 = base) or digest prefix; default all layers.")
  String layer;

  @Mixin
  FormatOption format;

  @Option(names = "--summary", description = "Only the per-layer and image totals, no file lists.")
  boolean summary;

  @Option(names = "--max-wasted", paramLabel = "LIMIT",
      description = "Exit 3 if wasted bytes exceed LIMIT: a byte count (10MB, 512kB, 1000) or a share of "
          + "the image's content (5%).")
  String maxWasted;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      ImageRecord img = LayersCommand.resolve(store, image);
      LayerInspector.ImageDiff d = new LayerInspector(store).diff(img);
      List<LayerInspector.LayerDiff> shown = d.layers();
      if (layer != null) {
        shown = d.layers().stream().filter(l -> Integer.toString(l.index()).equals(layer)
            || l.digest().hex().startsWith(layer.replace("sha256:", ""))).toList();
        if (shown.isEmpty()) {
          throw new Errors.UserError("image " + image + ": no layer " + layer + " (give an index from 0 to "
              + (d.layers().size() - 1) + " or a digest prefix; see 'dcont layers " + image + "')");
        }
      }
      boolean over = maxWasted != null && d.wastedBytes() > limit(maxWasted, d.contentBytes());
      if (format.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Image", img.id().toString());
        m.put("ContentBytes", d.contentBytes());
        m.put("WastedBytes", d.wastedBytes());
        m.put("Efficiency", Math.round(d.efficiency() * 10000) / 10000.0);
        List<Map<String, Object>> ls = new ArrayList<>();
        for (LayerInspector.LayerDiff l : shown) {
          Map<String, Object> lm = new LinkedHashMap<>();
          lm.put("Index", l.index());
          lm.put("Digest", l.digest().toString());
          lm.put("CreatedBy", l.createdBy());
          lm.put("ContentBytes", l.contentBytes());
          lm.put("WastedBytes", l.wastedBytes());
          if (!summary) {
            List<Map<String, Object>> cs = new ArrayList<>();
            for (LayerInspector.Change c : l.changes()) {
              cs.add(Map.of("Kind", c.kind().name(), "Path", "/" + c.path(), "Type", c.type(), "Size", c.size()));
            }
            lm.put("Changes", cs);
          }
          ls.add(lm);
        }
        m.put("Layers", ls);
        List<Map<String, Object>> ws = new ArrayList<>();
        for (LayerInspector.Waste w : d.wasted().subList(0, Math.min(20, d.wasted().size()))) {
          ws.add(Map.of("Path", "/" + w.path(), "Layer", w.layer(), "Bytes", w.bytes()));
        }
        m.put("TopWasted", ws);
        if (maxWasted != null) {
          m.put("OverThreshold", over);
        }
        out.println(Json.pretty(m));
      } else {
        for (LayerInspector.LayerDiff l : shown) {
          out.println("Layer " + l.index() + " " + l.digest().shortHex() + "  " + Format.size(l.contentBytes())
              + " content, " + Format.size(l.wastedBytes()) + " hidden by later layers"
              + (l.createdBy() == null ? "" : "  " + HistoryCommand.createdBy(l.createdBy(), false)));
          if (!summary) {
            for (LayerInspector.Change c : l.changes()) {
              out.println("  " + c.kind().name().charAt(0) + " /" + c.path()
                  + (c.type().equals("file") ? "  " + Format.size(c.size()) : c.type().equals("dir") ? "/" : ""));
            }
          }
        }
        out.println("Wasted: " + Format.size(d.wastedBytes()) + " of " + Format.size(d.contentBytes())
            + String.format(java.util.Locale.ROOT, " (efficiency %.1f%%)", d.efficiency() * 100));
      }
      out.flush();
      if (over) {
        spec.commandLine().getErr().println("dcont: image " + image + ": " + d.wastedBytes()
            + " wasted bytes, over --max-wasted " + maxWasted);
        spec.commandLine().getErr().flush();
        return OVER_THRESHOLD;
      }
      return 0;
    }
  }

  /** Parses {@code 10MB}, {@code 1000}, {@code 5%} (of {@code content}). */
  static long limit(String s, long content) {
    String v = s.strip();
    try {
      if (v.endsWith("%")) {
        return (long) (content * Double.parseDouble(v.substring(0, v.length() - 1)) / 100.0);
      }
      String[] units = {"kB", "MB", "GB", "TB", "KB", "B"};
      long[] mult = {1000, 1000_000, 1000_000_000, 1000_000_000_000L, 1000, 1};
      for (int i = 0; i < units.length; i++) {
        if (v.endsWith(units[i])) {
          return (long) (Double.parseDouble(v.substring(0, v.length() - units[i].length())) * mult[i]);
        }
      }
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new Errors.UserError("--max-wasted " + s + ": not a size or percentage (use e.g. 10MB or 5%)", 2);
    }
  }
}
