package dev.dcont.cli.commands;

import dev.dcont.cli.Format;
import dev.dcont.cli.FormatOption;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.layers.LayerInspector;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Json;
import java.io.PrintWriter;
import java.time.Instant;
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

/** {@code dcont history IMAGE}, as {@code docker history}: newest first. */
@Command(name = "history", description = "Show the history of an image.")
public final class HistoryCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  @Option(names = "--no-trunc", description = "Don't truncate output.")
  boolean noTrunc;

  @Option(names = {"-H", "--human"}, negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Print sizes and dates in human readable format (default true).")
  boolean human = true;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs.")
  boolean quiet;

  @Mixin
  FormatOption format;

  static String createdBy(String s, boolean noTrunc) {
    if (s == null) {
      return "";
    }
    String one = s.replace('\n', ' ').replace('\t', ' ');
    if (!noTrunc && one.length() > 45) {
      return one.substring(0, 44) + "…";
    }
    return one;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      ImageRecord img = LayersCommand.resolve(store, image);
      List<LayerInspector.HistoryRow> rows = new ArrayList<>(new LayerInspector(store).history(img));
      java.util.Collections.reverse(rows);
      String top = noTrunc ? img.id().toString() : img.id().shortHex();
      if (quiet) {
        for (int i = 0; i < rows.size(); i++) {
          out.println(i == 0 ? top : "<missing>");
        }
        out.flush();
        return 0;
      }
      if (format.json()) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
          LayerInspector.HistoryRow r = rows.get(i);
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("ID", i == 0 ? img.id().toString() : "<missing>");
          m.put("Created", r.created());
          m.put("CreatedBy", r.createdBy());
          m.put("Size", r.size() == null ? 0 : r.size());
          m.put("Comment", r.comment());
          m.put("EmptyLayer", r.emptyLayer());
          list.add(m);
        }
        out.println(Json.pretty(list));
        return 0;
      }
      Format.Table t = new Format.Table("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
      Instant now = Instant.now();
      for (int i = 0; i < rows.size(); i++) {
        LayerInspector.HistoryRow r = rows.get(i);
        String created = human ? Format.ago(Format.parseInstant(r.created()), now)
            : (r.created() == null ? "" : r.created());
        long size = r.size() == null ? 0 : r.size();
        t.row(i == 0 ? top : "<missing>", created, createdBy(r.createdBy(), noTrunc),
            human ? Format.size(size) : Long.toString(size), r.comment() == null ? "" : r.comment());
      }
      out.print(t);
      out.flush();
      return 0;
    }
  }
}
