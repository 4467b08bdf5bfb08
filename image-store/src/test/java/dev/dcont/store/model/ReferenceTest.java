package dev.dcont.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {
  static final String D = "sha256:" + "ab".repeat(32);

  @ParameterizedTest
  @CsvSource({
      "ubuntu, docker.io/library/ubuntu:latest",
      "ubuntu:22.04, docker.io/library/ubuntu:22.04",
      "user/app, docker.io/user/app:latest",
      "docker.io/ubuntu, docker.io/library/ubuntu:latest",
      "index.docker.io/library/ubuntu:1, docker.io/library/ubuntu:1",
      "localhost/x, localhost/x:latest",
      "localhost:5000/a/b:tag, localhost:5000/a/b:tag",
      "127.0.0.1:5000/a/b:tag, 127.0.0.1:5000/a/b:tag",
      "ghcr.io/org/deep/path/img:v1.2-rc_3, ghcr.io/org/deep/path/img:v1.2-rc_3",
      "a__b/c.d-e, docker.io/a__b/c.d-e:latest",
  })
  void normalisesAsDocker(String in, String expected) {
    assertEquals(expected, Reference.parse(in).toString());
  }

  @Test
  void digestReferences() {
    Reference r = Reference.parse("busybox@" + D);
    assertEquals("docker.io/library/busybox@" + D, r.toString());
    assertNull(r.tag());
    assertEquals(D, r.identifier());
    Reference both = Reference.parse("host:5000/x:1@" + D);
    assertEquals("1", both.tag());
    assertEquals(D, both.digest().toString());
    assertEquals(D, both.identifier());
  }

  @Test
  void dockerHubIsServedByRegistry1() {
    assertEquals("registry-1.docker.io", Reference.parse("ubuntu").registryHost());
    assertEquals("myhost:5000", Reference.parse("myhost:5000/x").registryHost());
    assertEquals("ubuntu", Reference.parse("ubuntu").familiarRepository());
    assertEquals("user/app:latest", Reference.parse("user/app").familiarName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "UPPER", "docker.io/Library/x", "a//b", "a/", "/a", "x:", "x:-bad", "x:.bad",
      "x@sha256:../x", "x@sha256:abc", "x@md5:" + "ab", "a b", "x\n", "-x", "x_", "a..b", "x:"
      + "t12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901"})
  void rejectsMalformed(String bad) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reference.parse(bad));
    assertTrue(e.getMessage().length() < 300, e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
  }

  @Test
  void uppercaseNameGetsLowercaseHint() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reference.parse("Ubuntu"));
    assertTrue(e.getMessage().contains("lowercase"), e.getMessage());
  }
}
