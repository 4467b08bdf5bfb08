package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dcont.cli.Errors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserSpecTest {
  @TempDir
  Path rootfs;

  @BeforeEach
  void files() throws Exception {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/passwd"), """
        root:x:0:0:root:/root:/bin/sh
        app:x:1000:1001:App:/home/app:/bin/sh
        """);
    Files.writeString(rootfs.resolve("etc/group"), """
        root:x:0:
        appgrp:x:1001:
        wheel:x:10:app,other
        audio:x:29:app
        """);
  }

  @Test
  void nameResolvesUidGidHomeAndSupplementaryGroups() {
    assertEquals(new UserSpec.Resolved(1000, 1001, List.of(10, 29), "/home/app"), UserSpec.resolve("app", rootfs));
  }

  @Test
  void numericForms() {
    assertEquals(new UserSpec.Resolved(1000, 1001, List.of(10, 29), "/home/app"), UserSpec.resolve("1000", rootfs));
    assertEquals(new UserSpec.Resolved(4242, 0, List.of(), "/"), UserSpec.resolve("4242", rootfs));
    assertEquals(new UserSpec.Resolved(1000, 7, List.of(), "/home/app"), UserSpec.resolve("1000:7", rootfs));
    assertEquals(new UserSpec.Resolved(0, 0, List.of(), "/root"), UserSpec.resolve("", rootfs));
  }

  @Test
  void nameWithGroupName() {
    assertEquals(new UserSpec.Resolved(1000, 10, List.of(), "/home/app"), UserSpec.resolve("app:wheel", rootfs));
  }

  @Test
  void unknownNamesAre125Errors() {
    assertEquals(125, assertThrows(Errors.UserError.class, () -> UserSpec.resolve("nobody", rootfs)).code());
    assertEquals(125, assertThrows(Errors.UserError.class, () -> UserSpec.resolve("app:nogroup", rootfs)).code());
  }

  @Test
  void aPasswdSymlinkOutOfTheRootIsNotFollowed() throws Exception {
    Path outside = Files.createTempFile("passwd", "");
    Files.writeString(outside, "evil:x:0:0::/:/bin/sh\n");
    Files.delete(rootfs.resolve("etc/passwd"));
    Files.createSymbolicLink(rootfs.resolve("etc/passwd"), outside);
    assertThrows(Errors.UserError.class, () -> UserSpec.resolve("evil", rootfs));
    Files.delete(outside);
  }
}
