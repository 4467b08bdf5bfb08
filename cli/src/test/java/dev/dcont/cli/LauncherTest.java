package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Root;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code dcont} launcher at the project's root, copied into a temporary installation whose {@code java} is a
 * script that prints the arguments it was given: which options and which class-data archive a start gets.
 */
class LauncherTest {
  @TempDir
  Path tmp;

  private Path launcher;
  private Path target;
  private Path jdk;

  @BeforeEach
  void installation() throws IOException {
    launcher = Files.copy(Path.of(System.getProperty("user.dir")).getParent().resolve("dcont"), tmp.resolve("dcont"));
    target = Files.createDirectories(tmp.resolve("cli/target"));
    Files.createDirectories(target.resolve("lib"));
    Files.writeString(target.resolve("dcont-cli.jar"), "");
    jdk = Files.createDirectories(tmp.resolve("jdk/bin"));
    Path java = jdk.resolve("java");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(target.resolve("java-home"), tmp.resolve("jdk") + "\n");
  }

  private void release(String version) throws IOException {
    Files.writeString(tmp.resolve("jdk/release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\n");
  }

  private Path archive(String group) throws IOException {
    Path cds = Files.createDirectories(target.resolve("cds"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    return Files.writeString(cds.resolve(group + ".jsa"), "");
  }

  /** What the launcher gave java (the arguments, one per line), and what it wrote to its stderr. */
  private record Start(List<String> args, String err) { }

  private Start start(String... args) throws Exception {
    return startAs(launcher, args);
  }

  private Start startAs(Path program, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(program.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("DCONT_JAVA");
    pb.environment().remove("DCONT_JAVA_OPTS");
    pb.environment().remove("DCONT_NO_CDS");
    Path err = tmp.resolve("err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out + Files.readString(err));
    return new Start(out.lines().toList(), Files.readString(err));
  }

  @Test
  void theJvmOptionsOfEveryStartComeFromTheLauncherWithTheJdkThatBuiltDcont() throws Exception {
    release("17.0.15");
    List<String> args = start("--root", "/srv/store", "images").args();
    assertTrue(args.contains("-XX:+UseG1GC"), args.toString());
    assertTrue(args.contains("-Djava.locale.providers=COMPAT,CLDR"), args.toString());
    assertTrue(args.contains("-Dpicocli.disable.closures=true"), args.toString());
    assertTrue(args.stream().anyMatch(a -> a.startsWith("-Djna.platform.library.path=")), args.toString());
    assertTrue(args.contains("-Ddcont.launcher=" + launcher), "a detached container's monitor runs it again");
    assertFalse(args.contains("--enable-native-access=ALL-UNNAMED"), "JDK 17 would drop its archived module graph");
    assertEquals(List.of("dev.dcont.cli.Main", "--root", "/srv/store", "images"),
        args.subList(args.size() - 4, args.size()));
  }

  @Test
  void aJdkWithoutCompatLocaleDataGetsNoneAndOneFrom24OnGetsNativeAccess() throws Exception {
    release("25.0.1");
    List<String> args = start("images").args();
    assertTrue(args.contains("--enable-native-access=ALL-UNNAMED"), args.toString());
    assertFalse(args.stream().anyMatch(a -> a.startsWith("-Djava.locale.providers")), args.toString());
  }

  @Test
  void eachKindOfCommandStartsFromTheArchiveTheBuildMadeForItAndNoStartMakesOne() throws Exception {
    release("17.0.15");
    Path run = archive("run");
    Path other = archive("other");
    assertTrue(start("--root", "/srv/store", "run", "--rm", "img").args()
        .contains("-XX:SharedArchiveFile=" + run));
    assertTrue(start("images").args().contains("-XX:SharedArchiveFile=" + other));
    List<String> pull = start("pull", "img").args();
    assertFalse(pull.stream().anyMatch(a -> a.contains("SharedArchiveFile") || a.contains("DumpLoadedClassList")),
        "no pull archive was built, and the launcher does not make one: " + pull);
    try (var s = Files.list(target.resolve("cds"))) {
      assertEquals(2, s.count(), "nothing written next to the archives");
    }
  }

  @Test
  void rootStartsFromNoArchiveThatAnotherUserCouldHaveWritten() throws Exception {
    Root.require("the archive's owner is checked only for root");
    release("17.0.15");
    Path other = archive("other");
    UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(other, nobody);
    Start s = start("--debug", "images");
    assertFalse(s.args().stream().anyMatch(a -> a.contains("SharedArchiveFile")), s.args().toString());
    assertTrue(s.err().contains("class-data archive not used: " + other + " is a symlink or not owned by root"),
        s.err());
  }

  @Test
  void dcontRuntimeIsTheLauncherUnderAnotherNameWithItsOwnMainClassAndArchive() throws Exception {
    release("17.0.15");
    Path link = Files.createSymbolicLink(tmp.resolve("dcont-runtime"), Path.of("dcont"));
    Path runtime = archive("runtime");
    archive("exec");
    List<String> create = startAs(link, "--root", "/run/x", "--log", "/l.json", "--log-format", "json", "create",
        "--bundle", "/b", "c1").args();
    assertTrue(create.contains("dev.dcont.runtime.RuntimeMain"), create.toString());
    assertFalse(create.contains("dev.dcont.cli.Main"), create.toString());
    assertTrue(create.contains("-XX:SharedArchiveFile=" + runtime), create.toString());
    assertTrue(create.contains("-XX:+UseG1GC"), "the same JVM options: " + create);
    assertTrue(create.contains("-Ddcont.launcher=" + tmp.resolve("dcont")), create.toString());
    List<String> dcont = start("create", "img").args();
    assertTrue(dcont.contains("dev.dcont.cli.Main"), dcont.toString());
    assertFalse(dcont.contains("-XX:SharedArchiveFile=" + runtime), dcont.toString());
  }
}
