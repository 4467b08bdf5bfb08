package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.Errors;
import dev.dcont.store.model.ImageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessConfigTest {
  static ImageConfig.Config image(List<String> entrypoint, List<String> cmd, List<String> env, String wd, String user) {
    return new ImageConfig.Config(user, null, env, entrypoint, cmd, null, wd, null, null);
  }

  static ProcessConfig.Flags flags(String entrypoint, List<String> command, List<String> env, String wd, String user) {
    return new ProcessConfig.Flags(entrypoint, command, env, null, wd, user, false, "abc123");
  }

  @Test
  void argumentsReplaceCmdAndKeepEntrypoint() {
    var img = image(List.of("/bin/ep", "-x"), List.of("default"), null, null, null);
    assertEquals(List.of("/bin/ep", "-x", "default"), ProcessConfig.of(img, flags(null, List.of(), null, null, null), Map.of()).args());
    assertEquals(List.of("/bin/ep", "-x", "a", "b"),
        ProcessConfig.of(img, flags(null, List.of("a", "b"), null, null, null), Map.of()).args());
  }

  @Test
  void entrypointFlagReplacesEntrypointAndDropsImageCmd() {
    var img = image(List.of("/bin/ep"), List.of("default"), null, null, null);
    assertEquals(List.of("/bin/sh"), ProcessConfig.of(img, flags("/bin/sh", List.of(), null, null, null), Map.of()).args());
    assertEquals(List.of("/bin/sh", "-c", "x"),
        ProcessConfig.of(img, flags("/bin/sh", List.of("-c", "x"), null, null, null), Map.of()).args());
    assertEquals(List.of("echo"), ProcessConfig.of(img, flags("", List.of("echo"), null, null, null), Map.of()).args());
  }

  @Test
  void noCommandAtAllIsA125Error() {
    Errors.UserError e = assertThrows(Errors.UserError.class,
        () -> ProcessConfig.of(image(null, null, null, null, null), flags(null, List.of(), null, null, null), Map.of()));
    assertEquals(125, e.code());
  }

  @Test
  void envMergesImageThenFileThenFlagsWithHostPassThrough(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("env");
    Files.writeString(file, "# comment\n\nFROM_FILE=1\nB=file\nHOSTVAR\n");
    var img = image(null, List.of("sh"), List.of("A=image", "B=image", "PATH=/custom"), null, null);
    var f = new ProcessConfig.Flags(null, List.of(), List.of("B=flag", "C", "MISSING"), List.of(file), null, null,
        true, "h1");
    ProcessConfig p = ProcessConfig.of(img, f, Map.of("C", "host-c", "HOSTVAR", "hv"));
    assertEquals("image", p.env("A"));
    assertEquals("flag", p.env("B"));
    assertEquals("host-c", p.env("C"));
    assertEquals("hv", p.env("HOSTVAR"));
    assertEquals("1", p.env("FROM_FILE"));
    assertEquals("/custom", p.env("PATH"));
    assertEquals("h1", p.env("HOSTNAME"));
    assertEquals("xterm", p.env("TERM"));
    assertNull(p.env("MISSING"));
  }

  @Test
  void defaultPathWhenImageHasNone() {
    ProcessConfig p = ProcessConfig.of(image(null, List.of("sh"), null, null, null), flags(null, null, null, null, null), Map.of());
    assertEquals(ProcessConfig.DEFAULT_PATH, p.env("PATH"));
  }

  @Test
  void workdirFromFlagThenImageThenRootAndMustBeAbsolute() {
    var img = image(null, List.of("sh"), null, "/srv", null);
    assertEquals("/srv", ProcessConfig.of(img, flags(null, null, null, null, null), Map.of()).cwd());
    assertEquals("/tmp", ProcessConfig.of(img, flags(null, null, null, "/tmp", null), Map.of()).cwd());
    assertEquals("/", ProcessConfig.of(image(null, List.of("sh"), null, null, null), flags(null, null, null, null, null), Map.of()).cwd());
    Errors.UserError e = assertThrows(Errors.UserError.class,
        () -> ProcessConfig.of(img, flags(null, null, null, "rel", null), Map.of()));
    assertTrue(e.getMessage().contains("absolute"));
  }

  @Test
  void userFlagOverridesImageUser() {
    var img = image(null, List.of("sh"), null, null, "app");
    assertEquals("app", ProcessConfig.of(img, flags(null, null, null, null, null), Map.of()).user());
    assertEquals("0:0", ProcessConfig.of(img, flags(null, null, null, null, "0:0"), Map.of()).user());
  }
}
