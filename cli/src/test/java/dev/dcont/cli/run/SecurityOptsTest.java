package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.Cli;
import dev.dcont.cli.Errors;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --security-opt as Docker reads it, and the linux.seccomp it gives a container's spec. */
class SecurityOptsTest {
  @TempDir
  Path tmp;

  private static RunFlags flags(boolean privileged, List<String> capAdd, SecurityOpts security) {
    return new RunFlags(false, false, false, false, null, null, List.of(), List.of(), false, null, null, null, null,
        "none", capAdd, List.of(), false, privileged, security, CgroupParent.DEFAULT);
  }

  private Spec spec(boolean privileged, List<String> capAdd, String... opts) {
    SpecFactory.EtcFiles etc = new SpecFactory.EtcFiles(tmp.resolve("hostname"), tmp.resolve("hosts"),
        tmp.resolve("resolv.conf"));
    return SpecFactory.build(new ProcessConfig(List.of("sh"), List.of("PATH=/bin"), "/", null),
        new UserSpec.Resolved(0, 0, List.of(), "/root"), flags(privileged, capAdd, SecurityOpts.parse(List.of(opts))),
        "box", etc, "dcont/x", null);
  }

  private static boolean hasRuleFor(Linux.Seccomp s, String name) {
    return s.syscalls().stream().anyMatch(c -> c.names().contains(name));
  }

  @Test
  void dockersDefaultProfileIsTheDefaultWithItsConditionsOnTheContainersCapabilities() {
    Linux.Seccomp s = spec(false, List.of()).linux().seccomp();
    assertEquals("SCMP_ACT_ERRNO", s.defaultAction());
    assertEquals(1, s.defaultErrnoRet());
    assertFalse(hasRuleFor(s, "add_key") || hasRuleFor(s, "unshare") || hasRuleFor(s, "mount"));
    assertTrue(hasRuleFor(spec(false, List.of("SYS_ADMIN")).linux().seccomp(), "unshare"));
    assertEquals(s, spec(false, List.of(), "seccomp=builtin").linux().seccomp());
  }

  @Test
  void theProfileMadeAheadOnASideThreadIsTheSameAndOnlyForItsCapabilities() {
    List<String> docker = dev.dcont.runtime.spec.DefaultSpec.DOCKER_CAPABILITIES;
    SecurityOpts o = SecurityOpts.parse(List.of());
    o.prepare(docker, false);
    assertEquals(dev.dcont.runtime.spec.SeccompProfile.dockerDefault(docker), o.linuxSeccomp(docker, false));
    List<String> admin = new java.util.ArrayList<>(docker);
    admin.add("CAP_SYS_ADMIN");
    assertTrue(hasRuleFor(o.linuxSeccomp(admin, false), "unshare"), "not the one made for other capabilities");
    SecurityOpts privileged = SecurityOpts.parse(List.of());
    privileged.prepare(docker, true);
    assertNull(privileged.linuxSeccomp(docker, true));
  }

  @Test
  void unconfinedAndPrivilegedHaveNoFilterAsInDocker() {
    assertNull(spec(false, List.of(), "seccomp=unconfined").linux().seccomp());
    assertNull(spec(true, List.of()).linux().seccomp());
    assertNull(spec(false, List.of(), "seccomp:unconfined").linux().seccomp());
  }

  @Test
  void aProfileFileInDockersFormatIsConvertedAndAppliesEvenPrivileged() throws Exception {
    Path f = tmp.resolve("p.json");
    Files.writeString(f, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
        + "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\","
        + "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}");
    Linux.Seccomp s = spec(false, List.of(), "seccomp=" + f).linux().seccomp();
    assertEquals(List.of(new Linux.Syscall(List.of("mkdir"), "SCMP_ACT_ERRNO", 13, null),
        new Linux.Syscall(List.of("mount"), "SCMP_ACT_ERRNO", null, null)), s.syscalls());
    Linux.Seccomp privileged = spec(true, List.of(), "seccomp=" + f).linux().seccomp();
    assertEquals(List.of(new Linux.Syscall(List.of("mkdir"), "SCMP_ACT_ERRNO", 13, null)), privileged.syscalls());
  }

  @Test
  void noNewPrivilegesSetsTheProcessFlag() {
    assertTrue(spec(false, List.of(), "no-new-privileges").process().noNewPrivileges());
    assertTrue(spec(false, List.of(), "no-new-privileges=true").process().noNewPrivileges());
    assertTrue(spec(false, List.of(), "no-new-privileges:1").process().noNewPrivileges());
    assertFalse(spec(false, List.of(), "no-new-privileges=false").process().noNewPrivileges());
    assertFalse(spec(false, List.of()).process().noNewPrivileges());
  }

  @Test
  void unconfinedAppArmorAndDisabledLabelsAreAcceptedOthersRefused() {
    assertEquals(SecurityOpts.Seccomp.DEFAULT,
        SecurityOpts.parse(List.of("apparmor=unconfined", "label=disable", "label:disable")).seccompSource());
    for (String bad : List.of("apparmor=docker-default", "label=type:svirt_t", "bogus=1", "seccomp", "seccomp=",
        "no-new-privileges=maybe", "no-new-privileges=", "systempaths=unconfined", "=x")) {
      Errors.UserError e = assertThrows(Errors.UserError.class, () -> SecurityOpts.parse(List.of(bad)), bad);
      assertEquals(Errors.RUN_FAILED, e.code());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }

  @Test
  void badProfilesFailBeforeAnythingIsPulledWithOneLineAnd125() throws Exception {
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"defaultAction\": ");
    Path badAction = tmp.resolve("action.json");
    Files.writeString(badAction, "{\"defaultAction\": \"SCMP_ACT_BOGUS\"}");
    Path root = tmp.resolve("store");
    for (String[] c : List.of(
        new String[] {"seccomp=" + tmp.resolve("missing.json"), "opening seccomp profile (" + tmp.resolve("missing.json")
            + ") failed: no such file"},
        new String[] {"seccomp=" + tmp, "opening seccomp profile (" + tmp + ") failed"},
        new String[] {"seccomp=" + bad, "seccomp profile " + bad + ": invalid JSON at line 1, column 19"},
        new String[] {"seccomp=" + badAction, "seccomp profile " + badAction + ": seccomp: unknown action SCMP_ACT_BOGUS"},
        new String[] {"apparmor=docker-default", "--security-opt apparmor=docker-default: dcont has no AppArmor"},
        new String[] {"nope=1", "invalid --security-opt: \"nope=1\""})) {
      Cli.Result r = Cli.run(root, "run", "--security-opt", c[0], "--pull", "never", "127.0.0.1:1/none", "true");
      assertEquals(125, r.code(), r.toString());
      assertTrue(r.err().startsWith("dcont: " + c[1]), r.toString());
      assertEquals(1, r.err().lines().count(), r.toString());
    }
  }
}
