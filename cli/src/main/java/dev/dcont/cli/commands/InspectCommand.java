package dev.dcont.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont inspect IMAGE…}: an image's metadata as JSON. */
@Command(name = "inspect", description = "Show details of images as JSON.")
public final class InspectCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image name, ID or digest.")
  List<String> names;

  @Override
  public Integer call() throws IOException {
    try (Store store = GlobalOptions.openStore()) {
      List<Object> out = new ArrayList<>();
      for (String name : names) {
        ImageRecord img = store.images().resolve(name)
            .orElseThrow(() -> new Errors.UserError("inspect " + name + ": no such image (see 'dcont images')"));
        out.add(describe(store, store.images().named(img)));
      }
      spec.commandLine().getOut().println(Json.pretty(out));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  static Map<String, Object> describe(Store store, ImageRepository.Named n) throws IOException {
    ImageRecord img = n.image();
    JsonNode config = Json.MAPPER.readTree(store.content().readAll(img.configDigest()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", img.id().toString());
    m.put("RepoTags", n.tags().stream().map(Reference::familiarName).toList());
    m.put("RepoDigests", n.digests().stream().map(Reference::familiarName).toList());
    m.put("ManifestDigest", img.manifestDigest().toString());
    m.put("ManifestMediaType", img.manifestMediaType().toString());
    m.put("Created", img.created());
    m.put("Os", img.platform().os());
    m.put("Architecture", img.platform().architecture());
    if (img.platform().variant() != null) {
      m.put("Variant", img.platform().variant());
    }
    m.put("Size", img.size());
    m.put("Config", config.get("config"));
    Map<String, Object> rootfs = new LinkedHashMap<>();
    rootfs.put("Type", "layers");
    rootfs.put("Layers", img.layers().stream().map(l -> l.diffId().toString()).toList());
    m.put("RootFS", rootfs);
    List<Map<String, Object>> layers = new ArrayList<>();
    for (ImageRecord.Layer l : img.layers()) {
      Map<String, Object> lm = new LinkedHashMap<>();
      lm.put("Digest", l.digest().toString());
      lm.put("DiffID", l.diffId().toString());
      lm.put("MediaType", l.mediaType().toString());
      lm.put("Size", l.size());
      layers.add(lm);
    }
    m.put("Layers", layers);
    return m;
  }
}
