package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.layers.MountSpec;
import dev.dcont.layers.RootfsManager;
import dev.dcont.layers.archive.RootExport;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dcont export [-o FILE] CONTAINER}: the container's root as it sees it, as a tar (see {@link RootExport}):
 * its mounted root when it is mounted here, else its upper directory over the image's layers, merged.
 */
@Command(name = "export", description = "Export a container's file system as a tar archive (standard output by default).")
public final class ExportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
  Path output;

  @Parameters(paramLabel = "CONTAINER")
  String container;

  @Override
  public Integer call() throws IOException {
    try (Store store = GlobalOptions.openStore()) {
      ContainerRecord r = new Containers(store).get(container);
      RootfsManager roots = new RootfsManager(store);
      if (roots.find(r.id()).isEmpty()) {
        throw new Errors.UserError("container " + container + " has no root file system (it was never created"
            + " completely; remove it)");
      }
      MountSpec spec = roots.spec(r.id());
      List<Path> layers = new ArrayList<>();
      if (roots.isMounted(r.id())) {
        layers.add(spec.target());
      } else {
        if (spec.upperDir() != null) {
          layers.add(spec.upperDir());
        }
        layers.addAll(spec.lowerDirs());
      }
      ArchiveOutput.write(output, out -> new RootExport().write(layers, out));
      return 0;
    }
  }
}
