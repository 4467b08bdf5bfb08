package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.HostDebianRoot;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.Probe;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** dcont run's seccomp filter end to end, with the probe inside a busybox image and a Debian root built from the host. */
class SeccompIntegrationTest extends ContainerTestBase {
  static String busybox;
  static String debian;

  private static final String[] PROBE = {"probe", "add_key", "keyctl", "perf_event_open", "unshare_user", "clone3"};

  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("seccomp");
    busybox = host.pushAndPull(root, "sc/busybox", TestImage.builder()
        .layer(Busybox.rootfs().file("bin/probe", Files.readAllBytes(Probe.path()), 0755).build(),
            Layer.Compression.GZIP).config("Cmd", List.of("sh")).config("Env", List.of("PATH=/bin")).build());
    debian = host.pushAndPull(root, "sc/debian", TestImage.builder()
        .layer(HostDebianRoot.rootfsWithApt().build(), Layer.Compression.GZIP).config("Cmd", List.of("/bin/bash"))
        .build());
  }

  Cli.Result dcont(String... args) throws IOException, InterruptedException {
    return Cli.runProcess(root, work, host.inParent(args));
  }

  private Cli.Result run(List<String> options, String image, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "--rm"));
    args.addAll(options);
    args.add(image);
    args.addAll(List.of(command));
    Cli.Result r = dcont(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    return r;
  }

  @Test
  void byDefaultWhatDockersProfileRefusesIsRefusedWithItsErrno() throws Exception {
    assertEquals("add_key: refused (EPERM)\nkeyctl: refused (EPERM)\nperf_event_open: refused (EPERM)\n"
        + "unshare_user: refused (EPERM)\nclone3: refused (ENOSYS)\n", run(List.of(), busybox, PROBE).out());
  }

  @Test
  void unconfinedAndPrivilegedRunWithoutAFilter() throws Exception {
    String unconfined = run(List.of("--security-opt", "seccomp=unconfined"), busybox, PROBE).out();
    assertTrue(unconfined.contains("add_key: allowed\n") && unconfined.contains("clone3: refused (EINVAL)\n"),
        unconfined);
    String privileged = run(List.of("--privileged"), busybox, PROBE).out();
    assertTrue(privileged.contains("add_key: allowed\n") && privileged.contains("perf_event_open: allowed\n")
        && privileged.contains("unshare_user: allowed\n"), privileged);
  }

  @Test
  void privilegedLiftsTheMasksTheReadOnlyPathsAndTheDeviceListAsDocker() throws Exception {
    // /proc/keys is masked with /dev/null (1:3) and /proc/sys is read-only by default; a node outside the
    // device list (1:11, /dev/kmsg) can be made but not opened
    // mountinfo: ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS ...
    String check = "stat -c %t:%T /proc/keys; grep -c '^[0-9]* [0-9]* [0-9:]* [^ ]* /proc/sys ' /proc/self/mountinfo;"
        + " grep -c '^[0-9]* [0-9]* [0-9:]* [^ ]* /sys ro,' /proc/self/mountinfo; probe mknod_open_write /tmp/kmsg 1 11";
    assertEquals("1:3\n1\n1\nmknod: allowed\nopen_write: refused (EPERM)\n",
        run(List.of(), busybox, "sh", "-c", check).out());
    String privileged = run(List.of("--privileged"), busybox, "sh", "-c", check).out();
    assertTrue(!privileged.startsWith("1:3\n") && privileged.contains("\n0\n0\nmknod: allowed\nopen_write: allowed\n"),
        privileged);
  }

  /** As Docker: a privileged container gets the host's device nodes, with their numbers; others do not. */
  @Test
  void privilegedGivesTheHostsDeviceNodes() throws Exception {
    List<String> host = new ArrayList<>();
    for (dev.dcont.runtime.spec.Linux.Device d : dev.dcont.cli.run.HostDevices.under(Path.of("/dev"))) {
      if (d.path().equals("/dev/kmsg") || d.path().equals("/dev/loop-control") || d.path().equals("/dev/mem")) {
        host.add(d.path() + " " + Long.toHexString(d.major()) + ":" + Long.toHexString(d.minor()));
      }
    }
    assertFalse(host.isEmpty(), "the host has none of /dev/kmsg, /dev/loop-control, /dev/mem");
    StringBuilder check = new StringBuilder();
    for (String h : host) {
      String path = h.substring(0, h.indexOf(' '));
      check.append("stat -c '%n %t:%T' ").append(path).append(" 2>/dev/null || echo ").append(path).append(" missing;");
    }
    String expected = String.join("\n", host) + "\n";
    assertEquals(expected, run(List.of("--privileged"), busybox, "sh", "-c", check.toString()).out());
    String plain = run(List.of(), busybox, "sh", "-c", check.toString()).out();
    for (String h : host) {
      assertTrue(plain.contains(h.substring(0, h.indexOf(' ')) + " missing\n"), plain);
    }
  }

  @Test
  void aProfileFileInDockersFormatIsTheFilter() throws Exception {
    Path profile = work.resolve("no-mkdir.json");
    Files.writeString(profile, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\","
        + " \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
    assertEquals("mkdir: refused (EACCES)\nadd_key: allowed\n",
        run(List.of("--security-opt", "seccomp=" + profile), busybox, "probe", "mkdir", "/tmp/d", "add_key").out());
  }

  @Test
  void noNewPrivilegesIsSetAndTheFilterStillApplies() throws Exception {
    assertEquals("NoNewPrivs:\t1\nadd_key: refused (EPERM)\n", run(List.of("--security-opt", "no-new-privileges"),
        busybox, "sh", "-c", "grep NoNewPrivs /proc/self/status; probe add_key").out());
  }

  @Test
  void execIntoARunningContainerRunsUnderItsFilter() throws Exception {
    Cli.Result started = dcont("run", "-d", busybox, "sleep", "60"); // keeps the container running for the exec
    assertEquals(0, started.code(), started.toString());
    String id = started.out().strip();
    Cli.Result exec = dcont("exec", id, "probe", "add_key", "clone3");
    assertEquals(0, exec.code(), exec.toString());
    assertEquals("add_key: refused (EPERM)\nclone3: refused (ENOSYS)\n", exec.out());
    assertEquals(0, Cli.run(root, "rm", "-f", id).code());
  }

  @Test
  void aDebianRootRunsBashAndAptUnderTheDefaultProfile() throws Exception {
    // a background job and its wait are what bash must be allowed under the profile
    String bash = run(List.of(), debian, "/bin/bash", "-c",
        "echo bash $BASH_VERSION; ls /usr/bin | wc -l; id -un; sleep 0.1 & wait; echo done").out();
    assertTrue(bash.startsWith("bash 5.") && bash.contains("root\n") && bash.endsWith("done\n"), bash);
    assertTrue(run(List.of(), debian, "apt-get", "--version").out().startsWith("apt "));
    assertTrue(run(List.of(), debian, "apt-config", "dump").out().contains("APT::Architecture \""));
    String nnp = run(List.of("--security-opt", "no-new-privileges"), debian, "/bin/bash", "-c",
        "while read -r l; do [[ $l == NoNewPrivs* ]] && echo \"$l\"; done < /proc/self/status;"
            + " apt-get --version | head -1").out();
    assertTrue(nnp.startsWith("NoNewPrivs:\t1\napt "), nnp);
  }
}
