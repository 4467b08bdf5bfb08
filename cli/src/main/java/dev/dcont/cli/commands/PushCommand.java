package dev.dcont.cli.commands;

import static dev.dcont.cli.commands.Options.flag;
import static dev.dcont.cli.commands.Options.isSet;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.PullProgress;
import dev.dcont.cli.PushProgress;
import dev.dcont.registry.ImagePusher;
import dev.dcont.registry.RegistryOptions;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Reference;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code dcont push [--all-tags] IMAGE}: upload an image (or every tag of a repository) to its registry. Its model
 * is built through picocli's programmatic API, as pull's is: the JVM's first use of annotations would be a visible
 * part of a push's CPU.
 */
public final class PushCommand implements Callable<Integer> {
  public static final String NAME = "push";

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
  private final OptionSpec allTags;
  private final OptionSpec quiet;
  private final PositionalParamSpec image;

  private PushCommand() {
    spec.name(NAME);
    spec.usageMessage().description("Upload an image from the store to a registry.");
    allTags = flag(spec, "Push every local tag of the repository.", "-a", "--all-tags");
    quiet = flag(spec, "Print only the pushed references.", "-q", "--quiet");
    image = PositionalParamSpec.builder().index("0").arity("1").required(true).type(String.class)
        .paramLabel("IMAGE").description("NAME[:TAG] as tagged in the store ('dcont tag').").build();
    spec.addPositional(image);
  }

  /** A new push command for picocli: its model, with this command as the one it executes. */
  public static CommandSpec newSpec() {
    return new PushCommand().spec;
  }

  @Override
  public Integer call() {
    String image = this.image.getValue();
    boolean allTags = isSet(this.allTags);
    boolean quiet = isSet(this.quiet);
    Reference ref = PullCommand.parse(image);
    if (ref.digest() != null) {
      throw new Errors.UserError("push " + image + ": cannot push a digest reference (push a tag)");
    }
    if (allTags && hasTag(image)) {
      throw new ParameterException(spec.commandLine(), "tag can't be used with --all-tags/-a");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore();
        StoreLocks.Held lock = StoreLocks.shared(store.layout())) {
      List<Reference> refs = allTags ? store.images().tagsOf(ref.repository()) : List.of(ref);
      if (refs.isEmpty()) {
        throw new Errors.UserError("An image does not exist locally with the tag: " + ref.familiarRepository());
      }
      ImagePusher pusher = new ImagePusher(store, RegistryOptions.defaults());
      PushProgress progress = new PushProgress(out, PullProgress.isTerminal(), quiet);
      for (Reference r : refs) {
        ImageRecord img = store.images().find(r).orElseThrow(() ->
            new Errors.UserError("An image does not exist locally with the tag: " + image));
        pusher.push(r, img, progress::event);
        if (quiet) {
          out.println(r.familiarName());
        }
      }
      out.flush();
      return 0;
    }
  }

  /** Whether the name as typed carries a tag (a reference without one means {@code latest}). */
  private static boolean hasTag(String name) {
    String s = name.contains("@") ? name.substring(0, name.indexOf('@')) : name;
    return s.lastIndexOf(':') > s.lastIndexOf('/');
  }
}
