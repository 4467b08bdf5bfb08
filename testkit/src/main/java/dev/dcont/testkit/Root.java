package dev.dcont.testkit;

import org.opentest4j.TestAbortedException;

/** Tests that need root: they fail under CI (which runs as root), and skip with a message elsewhere. */
public final class Root {
  private Root() { }

  public static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  public static void require(String why) {
    if (isRoot()) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError("this test needs root (" + why + ") and CI=true: CI must run as root");
    }
    throw new TestAbortedException("skipped: needs root (" + why + ")");
  }
}
