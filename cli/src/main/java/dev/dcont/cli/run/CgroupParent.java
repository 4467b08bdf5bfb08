package dev.dcont.cli.run;

import dev.dcont.cli.Errors;

/**
 * Docker's {@code --cgroup-parent} as with its cgroupfs driver: a container's cgroup is {@code PARENT/ID} in each
 * hierarchy dcont uses (every v1 controller hierarchy, or the unified one on v2). dcont has no daemon whose own
 * cgroup a relative parent could be taken from, so a parent with or without a leading '/' starts at the root of
 * each hierarchy, as the default {@code dcont} always has. The runtime keeps the resulting path in the container's
 * state, which is where stop, kill, rm, ps and the monitor find it.
 */
public final class CgroupParent {
  /** The parent when none is given. */
  public static final String DEFAULT = "dcont";

  private CgroupParent() { }

  /**
   * {@code value} with empty components dropped ({@code a//b/} is {@code a/b}); null or empty is the default. A
   * {@code .} or {@code ..} component is refused, so that no parent names a cgroup outside the hierarchy's root or
   * another container's cgroup by a second spelling.
   */
  public static String parse(String value) {
    if (value == null) {
      return DEFAULT;
    }
    java.util.List<String> parts = new java.util.ArrayList<>();
    for (String c : value.split("/")) {
      if (c.isEmpty()) {
        continue;
      }
      if (c.equals(".") || c.equals("..")) {
        throw new Errors.UserError("invalid --cgroup-parent '" + value + "': '" + c
            + "' is not allowed; give a path below the cgroup root, e.g. dcont or ci/job1", Errors.RUN_FAILED);
      }
      if (c.indexOf('\n') >= 0 || c.indexOf('\0') >= 0) {
        throw new Errors.UserError("invalid --cgroup-parent: it contains a control character", Errors.RUN_FAILED);
      }
      parts.add(c);
    }
    if (parts.isEmpty()) {
      return DEFAULT;
    }
    return (value.startsWith("/") ? "/" : "") + String.join("/", parts);
  }

  /** The container's cgroup path, the spec's {@code linux.cgroupsPath}. */
  public static String containerPath(String parent, String id) {
    return parent + "/" + id;
  }
}
