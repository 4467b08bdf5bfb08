package dev.dcont.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A cgroup parent of a test's own ({@code --cgroup-parent}, or a spec's {@code linux.cgroupsPath} prefix), so that
 * a test asserts only on the cgroups of its own containers and passes while other containers run on the machine.
 * The name is unique per instance; {@link #close()} removes what is left under it and the parent itself.
 */
public final class TestCgroupParent implements AutoCloseable {
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  private final String name;

  private TestCgroupParent(String name) {
    this.name = name;
  }

  /** A new parent named after {@code owner} (a test class) and a random suffix. */
  public static TestCgroupParent create(String owner) {
    return new TestCgroupParent("dcont-test-" + owner + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** The parent's path relative to each hierarchy's root, as {@code --cgroup-parent} takes it. */
  public String name() {
    return name;
  }

  /** The cgroup path of a container {@code id} under this parent, as a spec's {@code linux.cgroupsPath}. */
  public String pathOf(String id) {
    return "/" + name + "/" + id;
  }

  /**
   * The parent's directory in each hierarchy that has it: every v1 hierarchy (a symlinked controller such as
   * {@code cpu -> cpu,cpuacct} once), the unified one on v2.
   */
  public List<Path> directories() throws IOException {
    Set<Path> out = new LinkedHashSet<>();
    Path top = CGROUP_ROOT.resolve(name);
    if (Files.isDirectory(top)) {
      out.add(top.toRealPath());
    }
    try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(CGROUP_ROOT)) {
      for (Path h : hierarchies) {
        Path d = h.resolve(name);
        if (Files.isDirectory(d)) {
          out.add(d.toRealPath());
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return new ArrayList<>(out);
  }

  /** The cgroups directly under the parent, in every hierarchy: the containers' cgroups that exist now. */
  public List<Path> children() throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path dir : directories()) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, Files::isDirectory)) {
        for (Path c : s) {
          out.add(c);
        }
      } catch (NoSuchFileException e) {
        // removed meanwhile
      }
    }
    return out;
  }

  /** The names of the containers' cgroups under the parent (one per container, whatever the hierarchies). */
  public Set<String> childNames() throws IOException {
    Set<String> out = new LinkedHashSet<>();
    for (Path c : children()) {
      out.add(c.getFileName().toString());
    }
    return out;
  }

  /**
   * Removes the cgroups left under the parent (their processes must be gone: a cgroup with processes cannot be
   * removed) and then the parent, waiting a little for exiting processes to leave them.
   */
  @Override
  public void close() throws Exception {
    Poll.until("the test's cgroups under " + name + " to be removable", Duration.ofSeconds(10), () -> {
      try {
        removeAll();
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private void removeAll() throws IOException {
    for (Path dir : directories()) {
      removeTree(dir);
    }
  }

  private static void removeTree(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path c : s) {
        removeTree(c);
      }
    } catch (NoSuchFileException e) {
      return;
    }
    try {
      Files.delete(dir); // rmdir: a cgroup's interface files are not files to delete first
    } catch (NoSuchFileException e) {
      // gone already
    }
  }
}
