package dev.dcont.cli.commands;

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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont push [--all-tags] IMAGE}: upload an image (or every tag of a repository) to its registry. */
@Command(name = "push", description = "Upload an image from the store to a registry.")
public final class PushCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-a", "--all-tags"}, description = "Push every local tag of the repository.")
  boolean allTags;

  @Option(names = {"-q", "--quiet"}, description = "Print only the pushed references.")
  boolean quiet;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "NAME[:TAG] as tagged in the store ('dcont tag').")
  String image;

  @Override
  public Integer call() {
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
