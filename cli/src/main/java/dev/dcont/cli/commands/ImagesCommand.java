package dev.dcont.cli.commands;

import dev.dcont.cli.Format;
import dev.dcont.cli.FormatOption;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.Reference;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont images}: the images in the store. */
@Command(name = "images", aliases = "ls", description = "List images in the store.")
public final class ImagesCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-a", "--all"}, description = "Show all images (dcont keeps no intermediate images, so all are shown anyway).")
  boolean all;

  @Option(names = "--digests", description = "Show digests.")
  boolean digests;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Don't truncate IDs.")
  boolean noTrunc;

  @Mixin
  FormatOption format;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      List<ImageRepository.Named> images = store.images().list();
      if (format.json()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImageRepository.Named n : images) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("Id", n.image().id().toString());
          m.put("RepoTags", n.tags().stream().map(Reference::familiarName).toList());
          m.put("RepoDigests", n.digests().stream().map(Reference::familiarName).toList());
          m.put("ManifestDigest", n.image().manifestDigest().toString());
          m.put("Platform", n.image().platform().toString());
          m.put("Created", n.image().created());
          m.put("Size", n.image().size());
          rows.add(m);
        }
        out.println(Json.pretty(rows));
        return 0;
      }
      if (quiet) {
        images.stream().map(n -> noTrunc ? n.image().id().toString() : n.image().id().shortHex()).distinct()
            .forEach(out::println);
        return 0;
      }
      Format.Table t = digests
          ? new Format.Table("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
          : new Format.Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
      Instant now = Instant.now();
      for (ImageRepository.Named n : images) {
        String id = noTrunc ? n.image().id().toString() : n.image().id().shortHex();
        String created = Format.ago(Format.parseInstant(n.image().created()), now);
        String size = Format.size(n.image().size());
        List<String[]> rows = new ArrayList<>();
        for (Reference tag : n.tags()) {
          String digest = n.digests().stream().filter(d -> d.repository().equals(tag.repository()))
              .map(d -> d.digest().toString()).findFirst().orElse("<none>");
          rows.add(new String[] {tag.familiarRepository(), tag.tag(), digest});
        }
        if (rows.isEmpty()) {
          for (Reference d : n.digests()) {
            rows.add(new String[] {d.familiarRepository(), "<none>", d.digest().toString()});
          }
        }
        if (rows.isEmpty()) {
          rows.add(new String[] {"<none>", "<none>", "<none>"});
        }
        for (String[] r : rows) {
          if (digests) {
            t.row(r[0], r[1], r[2], id, created, size);
          } else {
            t.row(r[0], r[1], id, created, size);
          }
        }
      }
      out.print(t);
      out.flush();
      return 0;
    }
  }
}
