package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.layers.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every tar feature and every hostile case of {@link LayerApplier}, checked on disk. */
class LayerApplierTest {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final String LAYER = "sha256:" + "ab".repeat(32);
  @TempDir
  Path base;
  Path fs;
  Path decoy;
  Syscalls sys = NativeSyscalls.get();
  UnpackLimits limits = UnpackLimits.DEFAULT;

  @BeforeEach
  void setUp() throws IOException {
    fs = Files.createDirectories(base.resolve("store/snapshots/tmp-1/fs"));
    decoy = Files.createDirectories(base.resolve("etc"));
    Files.writeString(decoy.resolve("passwd"), "host\n");
  }

  /** Applies a layer; every successful one also checks that the applier measures what a walk of the tree does. */
  private LayerApplier.Stats apply(byte[] tar) throws IOException {
    LayerApplier applier = new LayerApplier(sys, limits, LAYER, fs);
    LayerApplier.Stats stats = applier.apply(new TarReader(new ByteArrayInputStream(tar)));
    assertEquals(SnapshotStore.measure(fs), applier.measure(), "measure of the applied layer against a walk");
    return stats;
  }

  private LayerException refused(byte[] tar) throws IOException {
    LayerException e = assertThrows(LayerException.class, () -> apply(tar));
    assertTrue(e.getMessage().startsWith("layer " + LAYER + ": entry '"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertNothingOutside();
    return e;
  }

  private void assertNothingOutside() throws IOException {
    List<Path> out = TestLayers.outside(base, fs);
    assertEquals(List.of(base.resolve("etc"), base.resolve("etc/passwd"), base.resolve("store"),
        base.resolve("store/snapshots"), base.resolve("store/snapshots/tmp-1")),
        out.stream().sorted().toList());
    assertEquals("host\n", Files.readString(decoy.resolve("passwd")));
  }

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
  }

  private static int rawMode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW);
  }

  private static long mtime(Path p) throws IOException {
    return Files.getLastModifiedTime(p, NOFOLLOW).toMillis() / 1000;
  }

  private static TestLayers.Tar tar() {
    return new TestLayers.Tar();
  }

  // ---- tar features ----

  @Test
  void regularFileKeepsContentModeAndMtime() throws IOException {
    apply(tar().file("etc/motd", "hi".getBytes(), 0640, e -> e.setModTime(1_000_000_000_000L)).bytes());
    Path p = fs.resolve("etc/motd");
    assertEquals("hi", Files.readString(p));
    assertEquals(0640, mode(p));
    assertEquals(1_000_000_000L, mtime(p));
    assertEquals(0755, mode(fs.resolve("etc")), "implied parents are 0755");
    assertNothingOutside();
  }

  @Test
  void directoryModeAndMtimeAreRestoredAfterItsContents() throws IOException {
    apply(tar().entry("d/", TarConstants.LF_DIR, 0510, null, e -> e.setModTime(1_200_000_000_000L))
        .file("d/f", "x").file("d/g", "y").bytes());
    assertEquals(0510, mode(fs.resolve("d")));
    assertEquals(1_200_000_000L, mtime(fs.resolve("d")));
    assertEquals("x", Files.readString(fs.resolve("d/f")));
  }

  @Test
  void symlinkKeepsTargetAndOwnMtime() throws IOException {
    apply(tar().entry("bin", TarConstants.LF_SYMLINK, 0777, "usr/bin", e -> e.setModTime(1_100_000_000_000L))
        .entry("abs", TarConstants.LF_SYMLINK, 0777, "/etc/passwd", e -> { }).bytes());
    assertEquals(Path.of("usr/bin"), Files.readSymbolicLink(fs.resolve("bin")));
    assertEquals(1_100_000_000L, mtime(fs.resolve("bin")));
    assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(fs.resolve("abs")), "a link may point anywhere");
    assertNothingOutside();
  }

  @Test
  void hardlinkSharesTheInodeOfAnEarlierEntry() throws IOException {
    apply(tar().file("a/f", "data").hardlink("b/g", "a/f").bytes());
    Object k1 = Files.readAttributes(fs.resolve("a/f"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    Object k2 = Files.readAttributes(fs.resolve("b/g"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    assertEquals(k1, k2);
    assertEquals(2, (Integer) Files.getAttribute(fs.resolve("a/f"), "unix:nlink"));
  }

  @Test
  void characterAndBlockDevicesGetTheirNumbers() throws IOException {
    TestLayers.requireRoot();
    apply(tar().entry("dev/null", TarConstants.LF_CHR, 0666, null, e -> {
      e.setDevMajor(1);
      e.setDevMinor(3);
    }).entry("dev/sda", TarConstants.LF_BLK, 0660, null, e -> {
      e.setDevMajor(8);
      e.setDevMinor(0);
    }).bytes());
    assertEquals(Syscalls.S_IFCHR | 0666, rawMode(fs.resolve("dev/null")));
    assertEquals((1L << 8) | 3, ((Number) Files.getAttribute(fs.resolve("dev/null"), "unix:rdev")).longValue());
    assertEquals(Syscalls.S_IFBLK | 0660, rawMode(fs.resolve("dev/sda")));
    assertEquals(8L << 8, ((Number) Files.getAttribute(fs.resolve("dev/sda"), "unix:rdev")).longValue());
  }

  @Test
  void fifoIsCreated() throws IOException {
    apply(tar().entry("run/pipe", TarConstants.LF_FIFO, 0600, null, e -> { }).bytes());
    assertEquals(Syscalls.S_IFIFO | 0600, rawMode(fs.resolve("run/pipe")));
  }

  @Test
  void paxLongNamesAndLinkTargets() throws IOException {
    String dir = "very/" + "long-directory-name/".repeat(12);
    String target = "t".repeat(150);
    apply(tar().file(dir + "file.txt", "long").symlink(dir + "link", target).bytes());
    assertEquals("long", Files.readString(fs.resolve(dir + "file.txt")));
    assertEquals(target, Files.readSymbolicLink(fs.resolve(dir + "link")).toString());
  }

  @Test
  void utf8NamesArriveAsTheSameBytesOnDisk() throws IOException {
    String name = "caf\u00e9/na\u00efve-\u65e5\u672c.txt";
    apply(tar().file(name, "utf8").symlink("caf\u00e9/l\u00efnk", "na\u00efve-\u65e5\u672c.txt").bytes());
    // compare the names as the kernel sees them, not as this JVM's charset would decode them
    byte[] expected = "na\u00efve-\u65e5\u672c.txt".getBytes(StandardCharsets.UTF_8);
    Process ls = new ProcessBuilder("ls", fs.resolve("caf\u00e9").toString()).start();
    byte[] listed = ls.getInputStream().readAllBytes();
    assertTrue(new String(listed, StandardCharsets.ISO_8859_1).contains(new String(expected, StandardCharsets.ISO_8859_1)),
        "ls shows the UTF-8 bytes of the name");
    assertEquals("utf8", Files.readString(fs.resolve("caf\u00e9/l\u00efnk")));
  }

  @Test
  void gnuLongNamesAndLinkTargets() throws IOException {
    String name = "g/" + "n".repeat(180);
    apply(tar().gnuLongNames().file(name, "gnu").hardlink("g/" + "h".repeat(150), name).bytes());
    assertEquals("gnu", Files.readString(fs.resolve(name)));
    assertEquals("gnu", Files.readString(fs.resolve("g/" + "h".repeat(150))));
  }

  @Test
  void paxHeadersCarryOwnerMtimeAndSubSecondTimes() throws IOException {
    TestLayers.requireRoot();
    apply(tar().file("o/f", "x".getBytes(), 0644, e -> {
      e.setUserId(3_000_000);
      e.setGroupId(70_000);
      e.addPaxHeader("mtime", "1700000000.5");
    }).bytes());
    Path p = fs.resolve("o/f");
    assertEquals(3_000_000, Files.getAttribute(p, "unix:uid"));
    assertEquals(70_000, Files.getAttribute(p, "unix:gid"));
    FileTime t = Files.getLastModifiedTime(p);
    assertEquals(1_700_000_000_500L, t.toMillis());
  }

  @Test
  void ownershipIsAppliedToFilesDirectoriesAndSymlinks() throws IOException {
    TestLayers.requireRoot();
    apply(tar().entry("home/u/", TarConstants.LF_DIR, 0700, null, e -> {
      e.setUserId(1000);
      e.setGroupId(1001);
    }).file("home/u/f", "x".getBytes(), 0600, e -> {
      e.setUserId(1000);
      e.setGroupId(1001);
    }).entry("home/u/l", TarConstants.LF_SYMLINK, 0777, "f", e -> {
      e.setUserId(1002);
      e.setGroupId(1003);
    }).bytes());
    assertEquals(1000, Files.getAttribute(fs.resolve("home/u"), "unix:uid", NOFOLLOW));
    assertEquals(1001, Files.getAttribute(fs.resolve("home/u/f"), "unix:gid", NOFOLLOW));
    assertEquals(1002, Files.getAttribute(fs.resolve("home/u/l"), "unix:uid", NOFOLLOW));
    assertEquals(0700, mode(fs.resolve("home/u")));
  }

  @Test
  void setuidAndSetgidBitsSurviveTheChown() throws IOException {
    TestLayers.requireRoot();
    apply(tar().file("usr/bin/su", "elf".getBytes(), 04755, e -> {
      e.setUserId(0);
      e.setGroupId(0);
    }).file("usr/bin/wall", "elf".getBytes(), 02755, e -> {
      e.setUserId(0);
      e.setGroupId(5);
    }).entry("tmp/", TarConstants.LF_DIR, 01777, null, e -> e.setGroupId(7)).bytes());
    assertEquals(04755, mode(fs.resolve("usr/bin/su")));
    assertEquals(02755, mode(fs.resolve("usr/bin/wall")));
    assertEquals(5, Files.getAttribute(fs.resolve("usr/bin/wall"), "unix:gid"));
    assertEquals(01777, mode(fs.resolve("tmp")));
  }

  @Test
  void xattrsFromPaxHeadersKeepBinaryValues() throws IOException {
    TestLayers.requireRoot();
    byte[] cap = {1, 0, 0, 2, 0, 32, 0, 0, (byte) 0xff, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    byte[] t = rawTar(List.of(
        paxEntry("bin/ping", List.of(kv("SCHILY.xattr.security.capability", cap),
            kv("SCHILY.xattr.user.note", "héllo".getBytes(StandardCharsets.UTF_8)))),
        header("bin/ping", '0', 0755, 3)), "elf".getBytes());
    apply(t);
    Path p = fs.resolve("bin/ping");
    assertArrayEquals(cap, sys.lgetxattr(p, "security.capability"));
    assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), sys.lgetxattr(p, "user.note"));
    assertEquals("elf", Files.readString(p));
  }

  @Test
  void libarchiveXattrsAreDecoded() throws IOException {
    TestLayers.requireRoot();
    apply(tar().file("f", "x".getBytes(), 0644, e -> e.addPaxHeader("LIBARCHIVE.xattr.user.k",
        java.util.Base64.getEncoder().encodeToString(new byte[] {0, 1, 2}))).bytes());
    assertArrayEquals(new byte[] {0, 1, 2}, sys.lgetxattr(fs.resolve("f"), "user.k"));
  }

  @Test
  void laterEntryReplacesEarlierOneWithoutFollowingIt() throws IOException {
    apply(tar().symlink("x", "../../../etc/passwd").file("x", "replaced").bytes());
    assertEquals("replaced", Files.readString(fs.resolve("x")));
    assertFalse(Files.isSymbolicLink(fs.resolve("x")));
    assertNothingOutside();
  }

  @Test
  void fileReplacesDirectoryAndDirectoryReplacesFile() throws IOException {
    apply(tar().file("a/b", "1").file("a", "file now").file("c", "2").dir("c", 0755).file("c/d", "3").bytes());
    assertEquals("file now", Files.readString(fs.resolve("a")));
    assertTrue(Files.isDirectory(fs.resolve("c")));
    assertEquals("3", Files.readString(fs.resolve("c/d")));
  }

  @Test
  void relativeSymlinkInParentIsFollowedInsideTheLayer() throws IOException {
    apply(tar().dir("usr/lib", 0755).symlink("lib", "usr/lib").file("lib/libc.so", "c").bytes());
    assertEquals("c", Files.readString(fs.resolve("usr/lib/libc.so")));
    assertTrue(Files.isSymbolicLink(fs.resolve("lib")));
    assertNothingOutside();
  }

  // ---- whiteouts ----

  @Test
  void whiteoutBecomesCharacterDeviceZeroZero() throws IOException {
    TestLayers.requireRoot();
    apply(tar().file("etc/.wh.passwd", "").bytes());
    Path w = fs.resolve("etc/passwd");
    assertEquals(Syscalls.S_IFCHR, rawMode(w) & 0170000);
    assertEquals(0L, ((Number) Files.getAttribute(w, "unix:rdev", NOFOLLOW)).longValue());
    assertFalse(Files.exists(fs.resolve("etc/.wh.passwd"), NOFOLLOW));
    assertNothingOutside();
  }

  @Test
  void opaqueMarkerSetsTrustedOverlayOpaque() throws IOException {
    TestLayers.requireRoot();
    apply(tar().dir("var/cache", 0755).file("var/cache/.wh..wh..opq", "").file("var/cache/new", "n").bytes());
    assertArrayEquals("y".getBytes(), sys.lgetxattr(fs.resolve("var/cache"), "trusted.overlay.opaque"));
    assertFalse(Files.exists(fs.resolve("var/cache/.wh..wh..opq"), NOFOLLOW));
    assertEquals("n", Files.readString(fs.resolve("var/cache/new")));
  }

  @Test
  void whiteoutsWithoutRootUseTheSyscallSeam() throws IOException {
    RecordingSyscalls rec = new RecordingSyscalls();
    sys = rec;
    apply(tar().file("a/.wh.b", "").file("c/.wh..wh..opq", "").bytes());
    assertTrue(rec.calls.contains("mknod " + fs.resolve("a/b") + " 20000 0:0"), rec.calls.toString());
    assertTrue(rec.calls.contains("setxattr " + fs.resolve("c") + " trusted.overlay.opaque=y"), rec.calls.toString());
  }

  @Test
  void emptyWhiteoutNameIsRefused() throws IOException {
    refused(tar().file("a/.wh.", "").bytes());
  }

  @Test
  void dotWhiteoutIsRefused() throws IOException {
    refused(tar().file("a/.wh..", "").bytes());
    refused(tar().file(".wh...", "").bytes());
  }

  @Test
  void whiteoutWithPathSeparatorIsRefused() throws IOException {
    refused(tar().file("a/.wh.b/c", "").bytes());
  }

  @Test
  void trustedOverlayXattrInTarIsRefused() throws IOException {
    LayerException e = refused(tar().dir("d", 0755).file("d/f", "x".getBytes(), 0644,
        x -> x.addPaxHeader("SCHILY.xattr.trusted.overlay.opaque", "y")).bytes());
    assertTrue(e.getMessage().contains("trusted.overlay.opaque"), e.getMessage());
  }

  // ---- confinement ----

  @Test
  void dotDotComponentIsRefused() throws IOException {
    LayerException e = refused(tar().file("a/../../../etc/passwd", "pwned").bytes());
    assertTrue(e.getMessage().contains("'..'"), e.getMessage());
  }

  @Test
  void absolutePathIsRefused() throws IOException {
    refused(tar().file(base.resolve("etc/passwd").toString(), "pwned").bytes());
  }

  @Test
  void symlinkParentToAbsolutePathIsRefused() throws IOException {
    LayerException e = refused(tar().symlink("evil", base.resolve("etc").toString()).file("evil/passwd", "pwned")
        .bytes());
    assertTrue(e.getMessage().contains("points outside the layer"), e.getMessage());
  }

  @Test
  void symlinkParentClimbingAboveRootIsRefused() throws IOException {
    refused(tar().dir("a", 0755).symlink("a/up", "../../../../etc").file("a/up/passwd", "pwned").bytes());
  }

  @Test
  void chainedSymlinksClimbingOutAreRefused() throws IOException {
    refused(tar().symlink("one", "two").symlink("two", "d/../..").file("one/x", "pwned").bytes());
  }

  @Test
  void symlinkLoopIsRefused() throws IOException {
    refused(tar().symlink("a", "b").symlink("b", "a").file("a/x", "loop").bytes());
  }

  @Test
  void hardlinkOutsideTheLayerIsRefused() throws IOException {
    refused(tar().hardlink("h", "../../../etc/passwd").bytes());
    refused(tar().hardlink("h", base.resolve("etc/passwd").toString()).bytes());
  }

  @Test
  void hardlinkToMissingTargetIsRefused() throws IOException {
    LayerException e = refused(tar().hardlink("h", "not/there").bytes());
    assertTrue(e.getMessage().contains("not an earlier entry"), e.getMessage());
  }

  @Test
  void hardlinkThroughEscapingSymlinkIsRefused() throws IOException {
    refused(tar().symlink("s", base.resolve("etc").toString()).hardlink("h", "s/passwd").bytes());
  }

  @Test
  void fileUnderANonDirectoryIsRefused() throws IOException {
    refused(tar().file("f", "x").file("f/g", "y").bytes());
  }

  @Test
  void tooManyEntriesIsRefused() throws IOException {
    limits = new UnpackLimits(1 << 30, 100);
    TestLayers.Tar t = tar();
    for (int i = 0; i < 101; i++) {
      t.file("f" + i, "");
    }
    LayerException e = refused(t.bytes());
    assertTrue(e.getMessage().contains("limit of 100 entries"), e.getMessage());
    assertTrue(e.getMessage().contains("'f100'"), e.getMessage());
  }

  @Test
  void decompressionBombIsStoppedAtTheByteLimit() throws IOException {
    limits = new UnpackLimits(1 << 20, 1000);
    byte[] big = new byte[4 << 20];
    byte[] t = tar().file("zeros", big, 0644, e -> { }).bytes();
    byte[] gz = TestLayers.gzip(t);
    assertTrue(gz.length < 10_000);
    ChunkPipe s = new ChunkPipe(new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz)),
        limits.maxBytes(), null, "test");
    LayerException e = assertThrows(LayerException.class,
        () -> new LayerApplier(sys, limits, LAYER, fs).apply(new TarReader(s)));
    assertTrue(e.getMessage().contains("over the limit of 1048576 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("'zeros'"), e.getMessage());
    assertTrue(Files.size(fs.resolve("zeros")) <= 1 << 20);
    assertNothingOutside();
  }

  @Test
  void corruptHeaderIsReported() {
    byte[] t = tar().file("f", "x").bytes();
    t[10] ^= 0x55;
    IOException e = assertThrows(IOException.class, () -> apply(t));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  // ---- raw tar building for what commons-compress cannot write (binary PAX values) ----

  private static byte[] kv(String k, byte[] v) {
    byte[] kb = (" " + k + "=").getBytes(StandardCharsets.UTF_8);
    int body = kb.length + v.length + 1;
    int len = body + Integer.toString(body).length();
    if (Integer.toString(len).length() != Integer.toString(body).length()) {
      len++;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(kb);
    b.writeBytes(v);
    b.write('\n');
    return b.toByteArray();
  }

  private static byte[][] paxEntry(String name, List<byte[]> records) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    records.forEach(data::writeBytes);
    byte[] d = data.toByteArray();
    return new byte[][] {header("PaxHeaders/" + name, 'x', 0644, d.length)[0], d};
  }

  private static byte[][] header(String name, char type, int mode, long size) {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, String.format("%07o", mode));
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", size));
    put(h, 136, String.format("%011o", 1_600_000_000L));
    h[156] = (byte) type;
    put(h, 257, "ustar");
    put(h, 263, "00");
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    return new byte[][] {h};
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  private static byte[] rawTar(List<byte[][]> parts, byte[] lastData) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[][] p : parts) {
      for (byte[] block : p) {
        out.writeBytes(block);
        int pad = (512 - block.length % 512) % 512;
        out.writeBytes(new byte[pad]);
      }
    }
    out.writeBytes(lastData);
    out.writeBytes(new byte[(512 - lastData.length % 512) % 512]);
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  /** A {@link Syscalls} that records calls and does what a non-root process can. */
  static class RecordingSyscalls implements Syscalls {
    final List<String> calls = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    @Override
    public boolean privileged() {
      return false;
    }

    @Override
    public void mknod(Path path, int mode, int major, int minor) throws IOException {
      calls.add("mknod " + path + " " + Integer.toOctalString(mode) + " " + major + ":" + minor);
      Files.createFile(path);
    }

    @Override
    public void lchown(Path path, int uid, int gid) {
      calls.add("lchown " + path + " " + uid + ":" + gid);
    }

    @Override
    public void chmod(Path path, int mode) throws IOException {
      NativeSyscalls.get().chmod(path, mode);
    }

    @Override
    public void lsetxattr(Path path, String name, byte[] value) {
      calls.add("setxattr " + path + " " + name + "=" + new String(value, StandardCharsets.UTF_8));
    }

    @Override
    public byte[] lgetxattr(Path path, String name) {
      return null;
    }

    @Override
    public void lutimes(Path path, long atimeNanos, long mtimeNanos) throws IOException {
      NativeSyscalls.get().lutimes(path, atimeNanos, mtimeNanos);
    }

    @Override
    public void mount(String source, Path target, String fstype, long flags, String data, Path workingDir) {
      calls.add("mount " + fstype + " " + target + " " + data + " in " + workingDir);
    }

    @Override
    public void unmount(Path target, boolean detach) {
      calls.add("umount " + target);
    }
  }

  @SuppressWarnings("unused")
  private static InputStream unused() {
    return null;
  }
}
