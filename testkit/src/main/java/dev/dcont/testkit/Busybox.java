package dev.dcont.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A root file system layer made of Debian's static busybox and its applet links. */
public final class Busybox {
  public static final Path BINARY = Path.of("/bin/busybox");

  private Busybox() { }

  public static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /** Applets linked in the layer: enough for shells, coreutils and the tests' checks. */
  public static final List<String> APPLETS = List.of("sh", "echo", "cat", "ls", "true", "false", "id", "env",
      "pwd", "sleep", "hostname", "mount", "ps", "grep", "head", "wc", "touch", "mkdir", "rm", "stat", "uname",
      "readlink", "test", "kill", "dd", "seq", "whoami", "df", "printenv", "yes", "tail");

  /** A tar with {@code bin/busybox}, applet symlinks and the usual top-level directories. */
  public static TarBuilder rootfs() throws IOException {
    if (!available()) {
      throw new IllegalStateException(BINARY + " not found: install Debian's busybox-static package");
    }
    TarBuilder t = new TarBuilder()
        .dir("bin").dir("etc").dir("tmp", 01777).dir("root", 0700).dir("proc").dir("sys").dir("dev")
        .dir("usr").dir("var")
        .file("bin/busybox", Files.readAllBytes(BINARY), 0755)
        .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        .file("etc/group", "root:x:0:\nnogroup:x:65534:\n");
    for (String a : APPLETS) {
      t.symlink("bin/" + a, "busybox");
    }
    return t;
  }
}
