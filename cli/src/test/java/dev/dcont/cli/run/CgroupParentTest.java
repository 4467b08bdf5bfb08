package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.Errors;
import org.junit.jupiter.api.Test;

class CgroupParentTest {
  @Test
  void noParentIsDcontsDefault() {
    assertEquals("dcont", CgroupParent.parse(null));
    assertEquals("dcont", CgroupParent.parse(""));
    assertEquals("dcont", CgroupParent.parse("//"));
    assertEquals("dcont/abc", CgroupParent.containerPath(CgroupParent.parse(null), "abc"));
  }

  @Test
  void emptyComponentsAreDroppedAndALeadingSlashKept() {
    assertEquals("ci/job1", CgroupParent.parse("ci//job1/"));
    assertEquals("/ci/job1", CgroupParent.parse("/ci/job1"));
    assertEquals("a..b/c.d", CgroupParent.parse("a..b/c.d"), "dots inside a name are a name");
  }

  @Test
  void dotAndDotDotComponentsAreRefusedWithOneLineAndExit125() {
    for (String bad : new String[] {"..", "../x", "a/../../x", "/a/..", "a/./b", "."}) {
      Errors.UserError e = assertThrows(Errors.UserError.class, () -> CgroupParent.parse(bad), bad);
      assertEquals(Errors.RUN_FAILED, e.code());
      assertTrue(e.getMessage().startsWith("invalid --cgroup-parent '" + bad + "'"), e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
  }
}
