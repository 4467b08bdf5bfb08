package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code dcont run} with volumes and images that plant symlinks to host paths: mount targets are resolved inside
 * the container's root when they are mounted, so nothing is made or mounted on the host, and a target that leads
 * out of the root is refused with one line and exit 125. The containers write what they see into a volume (their
 * stdout is this JVM's).
 */
class ContainerPathsIntegrationTest extends ContainerTestBase {
  static String busybox;

  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("paths");
    busybox = host.pushAndPull(root, "t/busybox", TestImage.builder()
        .layer(Busybox.rootfs().build(), Layer.Compression.GZIP).config("Cmd", List.of("sh")).build());
  }

  /** An image whose /etc/hosts is a symlink to {@code target}. */
  private static String imageWithEtcHostsLinkedTo(String tag, String target) throws Exception {
    String ref = host.registry.push("t/hosts-link", tag, TestImage.builder()
        .layer(Busybox.rootfs().symlink("etc/hosts", target).build(), Layer.Compression.GZIP)
        .config("Cmd", List.of("sh")).build());
    assertEquals(0, Cli.run(root, "pull", "-q", ref).code());
    return ref;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aVolumeThatHoldsASymlinkToAHostDirectoryCannotLeadALaterVolumeOntoTheHost() throws Exception {
    Path hostDir = Files.createDirectories(work.resolve("host-dir"));
    Path vol = Files.createDirectories(work.resolve("vol"));
    Files.createSymbolicLink(vol.resolve("b"), hostDir);
    Path x = Files.createDirectories(work.resolve("x"));
    Files.writeString(x.resolve("marker"), "from-x\n");
    Path out = Files.createDirectories(work.resolve("out"));
    Cli.Result r = Cli.run(root, host.inParent("run", "--rm", "-v", vol + ":/a", "-v", x + ":/a/b/c", "-v", out + ":/out",
        busybox, "sh", "-c", "cat /a/b/c/marker > /out/seen 2>&1; readlink /a/b >> /out/seen"));
    assertEquals(List.of(), names(hostDir), "something was made on the host: " + r);
    assertEquals(0, r.code(), r.toString());
    // /a/b leads to <root>/<host-dir> inside the container, and that is where X was mounted
    assertEquals("from-x\n" + hostDir + "\n", Files.readString(out.resolve("seen")), r.toString());
    assertEquals(List.of("b"), names(vol), "the volume was changed");
  }

  @Test
  void anEtcHostsThatIsAnAbsoluteSymlinkToAHostFileGetsTheContainersHostsInsideTheRoot() throws Exception {
    Path hostFile = Files.writeString(Files.createDirectories(work.resolve("host-etc")).resolve("hosts"),
        "10.9.9.9 host-original\n");
    String image = imageWithEtcHostsLinkedTo("abs", hostFile.toString());
    Path out = Files.createDirectories(work.resolve("out"));
    Cli.Result r = Cli.run(root, host.inParent("run", "--rm", "--hostname", "pathsbox", "-v", out + ":/out", image,
        "sh", "-c", "cat /etc/hosts > /out/seen 2>&1"));
    assertEquals("10.9.9.9 host-original\n", Files.readString(hostFile), "the host file was changed");
    assertEquals(List.of("hosts"), names(hostFile.getParent()));
    assertEquals(0, r.code(), r.toString());
    String seen = Files.readString(out.resolve("seen"));
    assertTrue(seen.contains("127.0.1.1\tpathsbox"), "the container's /etc/hosts is not dcont's: " + seen);
  }

  @Test
  void anEtcHostsThatLeadsToTheHostThroughProcIsRefusedWithOneLineAndExit125() throws Exception {
    Path hostDir = Files.createDirectories(work.resolve("host-proc"));
    String image = imageWithEtcHostsLinkedTo("proc", "/proc/self/root" + hostDir + "/hosts");
    Cli.Result r = Cli.run(root, host.inParent("run", "--rm", image, "true"));
    assertEquals(List.of(), names(hostDir), "a file was made on the host: " + r);
    assertEquals(125, r.code(), r.toString());
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r.toString());
    assertTrue(lines.get(0).startsWith("dcont: ") && lines.get(0).contains(
        "mount target /etc/hosts leads out of the container root (via /proc/1/root): refused"), r.toString());
  }
}
