package dev.dcont.cli.commands;

import dev.dcont.cli.GlobalOptions;
import dev.dcont.layers.archive.ImageArchiveWriter;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dcont save [-o FILE] IMAGE...}: images as one tar that Docker, podman and skopeo read (see
 * {@link ImageArchiveWriter}). Names as Docker saves them: {@code repo:tag} that tag, {@code repo} every tag of
 * the repository, an image ID or digest no name.
 */
@Command(name = "save", description = "Save images to a tar archive (standard output by default).")
public final class SaveCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
  Path output;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<String> images;

  @Override
  public Integer call() throws IOException {
    try (Store store = GlobalOptions.openStore()) {
      Map<Digest, ImageRecord> chosen = new LinkedHashMap<>();
      Map<Digest, Set<Reference>> names = new LinkedHashMap<>();
      List<ImageRepository.Named> all = null;
      for (String arg : images) {
        ImageRecord img = LayersCommand.resolve(store, arg);
        chosen.putIfAbsent(img.manifestDigest(), img);
        Set<Reference> mine = names.computeIfAbsent(img.manifestDigest(), k -> new LinkedHashSet<>());
        Reference ref = reference(arg, img);
        if (ref == null) {
          continue;
        }
        if (ref.tag() != null && hasTag(arg)) {
          mine.add(ref);
          continue;
        }
        if (all == null) {
          all = store.images().list();
        }
        for (ImageRepository.Named n : all) {
          for (Reference t : n.tags()) {
            if (t.repository().equals(ref.repository())) {
              chosen.putIfAbsent(n.image().manifestDigest(), n.image());
              names.computeIfAbsent(n.image().manifestDigest(), k -> new LinkedHashSet<>()).add(t);
            }
          }
        }
      }
      List<ImageArchiveWriter.Item> items = new ArrayList<>();
      for (Map.Entry<Digest, ImageRecord> e : chosen.entrySet()) {
        items.add(new ImageArchiveWriter.Item(e.getValue(), List.copyOf(names.get(e.getKey()))));
      }
      ArchiveOutput.write(output, out -> new ImageArchiveWriter(store.content()).write(items, out));
      return 0;
    }
  }

  /** The reference {@code arg} is, or null when it names the image by its ID or a digest. */
  private static Reference reference(String arg, ImageRecord img) {
    String hex = arg.startsWith("sha256:") ? arg.substring(7) : arg;
    if (hex.matches("[a-f0-9]{4,64}") && (img.id().hex().startsWith(hex) || img.manifestDigest().hex().startsWith(hex))) {
      return null;
    }
    try {
      Reference r = Reference.parse(arg);
      return r.digest() != null ? null : r;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Whether the reference {@code arg} gives a tag (after the last slash). */
  private static boolean hasTag(String arg) {
    return arg.substring(arg.lastIndexOf('/') + 1).contains(":");
  }
}
