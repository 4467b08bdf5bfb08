package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirsTest {
  @TempDir
  Path tmp;

  @Test
  void aMissingWorkingDirectoryIsCreatedInsideTheRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    WorkDirs.ensure(root, "/srv/app/data", new UserSpec.Resolved(0, 0, List.of(), "/"));
    assertTrue(Files.isDirectory(root.resolve("srv/app/data")));
  }

  @Test
  void symlinksOfTheImageAreResolvedInsideTheRootNeverOutOfIt() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Path outside = tmp.resolve("outside");
    Files.createDirectories(root.resolve("etc"));
    // absolute and climbing links: both must land under root
    Files.createSymbolicLink(root.resolve("etc/abs"), Path.of("/" + outside.getFileName()));
    Files.createSymbolicLink(root.resolve("etc/up"), Path.of("../../../../../../" + outside.getFileName()));
    WorkDirs.ensure(root, "/etc/abs/one", new UserSpec.Resolved(0, 0, List.of(), "/"));
    WorkDirs.ensure(root, "/etc/up/two", new UserSpec.Resolved(0, 0, List.of(), "/"));
    assertFalse(Files.exists(outside), "nothing is created outside the root");
    assertTrue(Files.isDirectory(root.resolve(outside.getFileName()).resolve("one")));
    assertTrue(Files.isDirectory(root.resolve(outside.getFileName()).resolve("two")));
    WorkDirs.ensure(root, "/../../x/./y", new UserSpec.Resolved(0, 0, List.of(), "/"));
    assertTrue(Files.isDirectory(root.resolve("x/y")));
  }
}
