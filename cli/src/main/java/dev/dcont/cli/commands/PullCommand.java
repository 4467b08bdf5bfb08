package dev.dcont.cli.commands;

import static dev.dcont.cli.commands.Options.flag;
import static dev.dcont.cli.commands.Options.isSet;
import static dev.dcont.cli.commands.Options.single;

import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.PullProgress;
import dev.dcont.store.Store;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code dcont pull REF}: download an image into the store. Its model is built through picocli's programmatic
 * API, as run's is: a pull's own work is short next to the JVM's first use of annotations.
 */
public final class PullCommand implements Callable<Integer> {
  public static final String NAME = "pull";

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
  private final OptionSpec platform;
  private final OptionSpec quiet;
  private final OptionSpec noUnpack;
  private final OptionSpec maxConcurrent;
  private final PositionalParamSpec image;

  private PullCommand() {
    spec.name(NAME);
    spec.usageMessage().description("Download an image from a registry into the store.");
    platform = single(spec, String.class, "OS/ARCH[/VARIANT]",
        "Platform to pull from a multi-platform image (default: this host's).", "--platform");
    quiet = flag(spec, "Print only the image reference.", "-q", "--quiet");
    noUnpack = flag(spec, "Only download into the store; layers are unpacked on first run.", "--no-unpack");
    maxConcurrent = Options.add(spec, OptionSpec.builder("--max-concurrent-downloads").type(int.class)
        .paramLabel("N").defaultValue("3").description("Layers downloaded at once (default: ${DEFAULT-VALUE})."));
    image = PositionalParamSpec.builder().index("0").arity("1").required(true).type(String.class)
        .paramLabel("IMAGE").description("Image reference, e.g. ubuntu, user/app:1, host:5000/x@sha256:…").build();
    spec.addPositional(image);
  }

  /** A new pull command for picocli: its model, with this command as the one it executes. */
  public static CommandSpec newSpec() {
    return new PullCommand().spec;
  }

  @Override
  public Integer call() {
    Reference ref = parse(image.getValue());
    String platform = this.platform.getValue();
    Platform p = platform == null ? null : parsePlatform(platform);
    int maxConcurrent = this.maxConcurrent.getValue();
    if (maxConcurrent < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--max-concurrent-downloads must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      new PullService(store, maxConcurrent, !isSet(noUnpack)).pull(ref, p,
          new PullProgress(out, PullProgress.isTerminal(), isSet(quiet)));
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
