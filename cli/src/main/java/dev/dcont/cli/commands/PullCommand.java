package dev.dcont.cli.commands;

import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.PullProgress;
import dev.dcont.store.Store;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont pull REF}: download an image into the store. */
@Command(name = "pull", description = "Download an image from a registry into the store.")
public final class PullCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Platform to pull from a multi-platform image (default: this host's).")
  String platform;

  @Option(names = {"-q", "--quiet"}, description = "Print only the image reference.")
  boolean quiet;

  @Option(names = "--no-unpack", description = "Only download into the store; layers are unpacked on first run.")
  boolean noUnpack;

  @Option(names = "--max-concurrent-downloads", paramLabel = "N", defaultValue = "3",
      description = "Layers downloaded at once (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Parameters(paramLabel = "IMAGE", description = "Image reference, e.g. ubuntu, user/app:1, host:5000/x@sha256:…")
  String image;

  @Override
  public Integer call() {
    Reference ref = parse(image);
    Platform p = platform == null ? null : parsePlatform(platform);
    if (maxConcurrent < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--max-concurrent-downloads must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      new PullService(store, maxConcurrent, !noUnpack).pull(ref, p,
          new PullProgress(out, PullProgress.isTerminal(), quiet));
      // as docker pull: the reference last (with -q, alone)
      out.println(ref);
      out.flush();
      return 0;
    }
  }

  static Reference parse(String image) {
    try {
      return Reference.parse(image);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (expected [host[:port]/]name[:tag][@sha256:digest])");
    }
  }

  static Platform parsePlatform(String p) {
    return Platform.parse(p);
  }
}
