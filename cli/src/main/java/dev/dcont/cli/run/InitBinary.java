package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import java.nio.file.Path;

/** The init process {@code --init} mounts into the container (runs the command as its child, reaps zombies, forwards signals). */
final class InitBinary {
  private InitBinary() { }

  static Path path() {
    throw new Errors.UserError("--init is not available in this build", Errors.RUN_FAILED);
  }
}
