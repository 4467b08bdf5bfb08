package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.Format;
import dev.dcont.cli.FormatOption;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.layers.ImageUnpacker;
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

/** {@code dcont layers IMAGE}: an image's layers with sizes, file counts and the command that made each. */
@Command(name = "layers", description = "Show the layers of an image: digests, sizes, files and history.")
public final class LayersCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  @Option(names = "--no-trunc", description = "Don't truncate digests and commands.")
  boolean noTrunc;

  @Option(names = "--unpack", description = "Unpack layers that are not unpacked yet first.")
  boolean unpack;

  @Mixin
  FormatOption format;

  static ImageRecord resolve(Store store, String name) {
    return store.images().resolve(name).orElseThrow(() -> new Errors.UserError("image " + name
        + ": not in the store (pull it first, or see 'dcont images')"));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      ImageRecord img = resolve(store, image);
      if (unpack) {
        ImageUnpacker.ensureUnpacked(store, img, ImageUnpacker.Listener.NONE);
      }
      List<LayerInspector.LayerInfo> layers = new LayerInspector(store).layers(img);
      if (format.json()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LayerInspector.LayerInfo l : layers) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("Index", l.index());
          m.put("Digest", l.digest().toString());
          m.put("DiffID", l.diffId().toString());
          m.put("ChainID", l.chainId().toString());
          m.put("MediaType", l.mediaType().toString());
          m.put("CompressedSize", l.compressedSize());
          m.put("UnpackedSize", l.unpackedSize());
          m.put("Files", l.files());
          m.put("Created", l.created());
          m.put("CreatedBy", l.createdBy());
          rows.add(m);
        }
        out.println(Json.pretty(rows));
        return 0;
      }
      Format.Table t = new Format.Table("#", "DIGEST", "DIFF ID", "COMPRESSED", "UNPACKED", "FILES", "CREATED BY");
      for (LayerInspector.LayerInfo l : layers) {
        t.row(Integer.toString(l.index()), id(l.digest().toString()), id(l.diffId().toString()),
            Format.size(l.compressedSize()), l.unpackedSize() == null ? "-" : Format.size(l.unpackedSize()),
            l.files() == null ? "-" : Long.toString(l.files()), HistoryCommand.createdBy(l.createdBy(), noTrunc));
      }
      out.print(t);
      out.flush();
      return 0;
    }
  }

  private String id(String digest) {
    return noTrunc ? digest : digest.substring(7, 19);
  }
}
