package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Reference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dcont tag SOURCE TARGET}: give a stored image another name, as {@code docker tag}. */
@Command(name = "tag", description = "Create a tag TARGET that refers to the image SOURCE.")
public final class TagCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SOURCE", description = "Image name[:tag], ID or name@digest.")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET", description = "New name[:tag] (default tag: latest).")
  String target;

  @Override
  public Integer call() {
    Reference to;
    try {
      to = Reference.parse(target);
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError("Error parsing reference: \"" + target + "\" is not a valid repository/tag: "
          + e.getMessage());
    }
    if (to.digest() != null) {
      throw new Errors.UserError("refusing to create a tag with a digest reference");
    }
    try (Store store = GlobalOptions.openStore();
        StoreLocks.Held lock = StoreLocks.shared(store.layout())) {
      ImageRecord img = store.images().resolve(source)
          .orElseThrow(() -> new Errors.UserError("No such image: " + asDocker(source)));
      if (!store.images().tag(to, img.manifestDigest())) {
        // removed by another process between the two statements
        throw new Errors.UserError("No such image: " + asDocker(source));
      }
      return 0;
    }
  }

  /** The name as Docker prints it in "No such image": a reference with its tag, anything else as typed. */
  private static String asDocker(String name) {
    try {
      Reference r = Reference.parse(name);
      return r.familiarName();
    } catch (IllegalArgumentException e) {
      return name;
    }
  }
}
