package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.db.ContainerRecord;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont rmi IMAGE…}: untag images, and delete those no name points at any more. */
@Command(name = "rmi", description = "Remove images: untag, then delete what nothing else uses.")
public final class RmiCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--force"}, description = "Remove an image by ID even if several repositories name it.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image name, ID or digest.")
  List<String> names;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    int failures = 0;
    try (Store store = GlobalOptions.openStore()) {
      for (String name : names) {
        try {
          remove(store, name, out);
        } catch (Errors.UserError e) {
          spec.commandLine().getErr().println("dcont: " + e.getMessage());
          failures++;
        }
      }
    }
    out.flush();
    return failures == 0 ? 0 : Errors.OPERATIONAL;
  }

  private void remove(Store store, String name, PrintWriter out) throws IOException {
    ImageRepository repo = store.images();
    ImageRecord img = repo.resolve(name)
        .orElseThrow(() -> new Errors.UserError("rmi " + name + ": no such image (see 'dcont images')"));
    ImageRepository.Named named = repo.named(img);
    Reference asRef = parseRef(name);
    boolean byTag = asRef != null && asRef.tag() != null && asRef.digest() == null
        && named.tags().stream().anyMatch(t -> t.equals(asRef));
    List<ContainerRecord> users = store.containers().usingImage(img.manifestDigest());
    boolean lastName = !byTag || named.tags().size() <= 1;
    if (!users.isEmpty() && lastName && !force) {
      throw new Errors.UserError("rmi " + name + ": image " + img.id().shortHex() + " is used by container "
          + users.get(0).shortId() + " (" + users.get(0).name() + "); remove the container first, or use -f");
    }
    try (StoreLocks.Held lock = StoreLocks.exclusive(store.layout())) {
      if (!users.isEmpty()) {
        // forced while containers use it: untag, keep the image for them (as Docker leaves it dangling)
        for (Reference t : byTag ? List.of(asRef) : named.tags()) {
          repo.untag(t);
          out.println("Untagged: " + t.familiarName());
        }
        return;
      }
      if (byTag) {
        repo.untag(asRef);
        out.println("Untagged: " + asRef.familiarName());
        if (repo.tagCount(img.manifestDigest()) > 0) {
          return;
        }
        for (Reference d : named.digests()) {
          out.println("Untagged: " + d.familiarName());
        }
      } else {
        Set<String> repos = new LinkedHashSet<>();
        named.tags().forEach(t -> repos.add(t.repository()));
        if (repos.size() > 1 && !force) {
          throw new Errors.UserError("rmi " + name + ": image " + img.id().shortHex()
              + " is referenced in multiple repositories (remove it by name, or use -f)");
        }
        for (Reference t : named.tags()) {
          out.println("Untagged: " + t.familiarName());
        }
        for (Reference d : named.digests()) {
          out.println("Untagged: " + d.familiarName());
        }
      }
      // its layer snapshots and blobs go too, unless another image or a container still uses them
      for (ChainId deleted : ImageRemoval.delete(store, named, Map.of())) {
        out.println("Deleted: " + deleted);
      }
      out.println("Deleted: " + img.id());
    }
  }

  private static Reference parseRef(String name) {
    try {
      return Reference.parse(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
