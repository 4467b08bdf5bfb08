package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.LoadProgress;
import dev.dcont.cli.PullProgress;
import dev.dcont.layers.ImageUnpacker;
import dev.dcont.layers.archive.ImageArchiveLoader;
import dev.dcont.store.Store;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dcont load [-i FILE] [-q]}: the images of a docker-archive, an oci-archive (a file or standard input,
 * plain or gzip) or an OCI layout directory, checked, stored and unpacked (see {@link ImageArchiveLoader}), with
 * Docker's lines: each layer's {@code Loading layer} (see {@link LoadProgress}; not with {@code -q}), then
 * {@code The image NAME:TAG already exists, renaming the old one…} for a name taken from another image, and
 * {@code Loaded image: NAME:TAG}, or {@code Loaded image ID: sha256:…} for an image without one.
 */
@Command(name = "load", description = "Load images from a tar archive or an OCI layout directory.")
public final class LoadCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-i", "--input"}, paramLabel = "FILE",
      description = "Read from FILE (a tar, plain or gzip, or an OCI layout directory) instead of standard input.")
  Path input;

  @Option(names = {"-q", "--quiet"}, description = "Print no layer progress (only the loaded images).")
  boolean quiet;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      ImageArchiveLoader loader = new ImageArchiveLoader(store,
          quiet ? ImageUnpacker.Listener.NONE : new LoadProgress(out, PullProgress.isTerminal()));
      List<ImageArchiveLoader.Loaded> loaded;
      if (input == null) {
        if (ArchiveOutput.isTerminal(0)) {
          throw new Errors.UserError("requested load from stdin, but stdin is empty (give -i FILE or redirect)");
        }
        loaded = loader.load(System.in);
      } else if (Files.isDirectory(input)) {
        loaded = loader.load(input);
      } else {
        try (InputStream in = Files.newInputStream(input)) {
          loaded = loader.load(in);
        } catch (NoSuchFileException e) {
          throw new Errors.UserError("open " + input + ": no such file");
        }
      }
      for (ImageArchiveLoader.Loaded l : loaded) {
        // Docker's words, printed with -q too
        l.renamed().forEach((name, oldId) -> out.println("The image " + name.familiarName()
            + " already exists, renaming the old one with ID " + oldId + " to empty string"));
        if (l.names().isEmpty()) {
          out.println("Loaded image ID: " + l.image().id());
        }
        for (Reference name : l.names()) {
          out.println("Loaded image: " + name.familiarName());
        }
      }
      out.flush();
      return 0;
    }
  }
}
