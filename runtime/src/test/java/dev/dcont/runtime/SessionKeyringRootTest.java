package dev.dcont.runtime;

import dev.dcont.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.RootOnly;
import dev.dcont.testkit.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container has a session keyring of its own (runc's "_ses.ID"), which dcont exec joins: a key in the session
 * of the process that started dcont is not found inside. The probe runs without a seccomp filter here; Docker's
 * default profile refuses keyctl altogether. With runc's --no-new-keyring the caller's keyring stays.
 */
class SessionKeyringRootTest {
    @TempDir Path tmp;
    private BusyboxBundle bundle;
    private ContainerRuntime rt;
    private String id;
    /** A key added on the host, in the session keyring that a process started from this JVM searches. */
    private String hostKey;

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require("session keyring root test");
        bundle = BusyboxBundle.create(tmp.resolve("bundle"));
        Files.copy(Probe.path(), bundle.rootfs.resolve("probe"), StandardCopyOption.COPY_ATTRIBUTES);
        rt = new ContainerRuntime(tmp.resolve("state"));
        id = "t-" + UUID.randomUUID().toString().substring(0, 8);
        hostKey = "dcont-test-" + UUID.randomUUID().toString().substring(0, 12);
        // the key expires on its own: nothing of the test stays in the host's keyring
        assertEquals(List.of("add_session_key: allowed", "keyring: allowed"),
                probeOnHost("add_session_key", hostKey, "60", "keyring", hostKey));
    }

    @AfterEach
    void removeContainer() throws Exception {
        if (rt != null && rt.list().contains(id)) {
            rt.delete(id, true);
        }
        if (bundle != null) {
            bundle.cgroups.close();
        }
    }

    private static List<String> probeOnHost(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Probe.path().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }

    @Test
    void aContainerDoesNotFindAKeyOfTheSessionThatStartedIt() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("/probe", "keyring", hostKey));
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        int code = rt.run(bundle.dir, id, Stdio.files(null, out, err));
        assertEquals(0, code, Files.readString(err));
        assertEquals(List.of("keyring: refused (ENOKEY)"), Files.readString(out).lines().toList());
    }

    @Test
    void execJoinsTheContainersKeyringAndNotTheCallers() throws Exception {
        String containerKey = "dcont-test-" + UUID.randomUUID().toString().substring(0, 12);
        // sleep keeps the container running for the exec
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c",
                "/probe add_session_key " + containerKey + " 60 > /tmp/added; exec sleep 60"));
        Path added = bundle.rootfs.resolve("tmp/added");
        ContainerState st = rt.start(bundle.dir, id, tmp.resolve("log"));
        assertEquals(ContainerState.RUNNING, st.status());
        Poll.until("the container's key", java.time.Duration.ofSeconds(10),
                () -> Files.exists(added) && Files.readString(added).endsWith("\n"));
        assertEquals("add_session_key: allowed\n", Files.readString(added));

        ProcessSpec p = rt.processOf(id).withArgs(List.of("/probe", "keyring", containerKey, "keyring", hostKey));
        Path out = tmp.resolve("exec-out"), err = tmp.resolve("exec-err");
        assertEquals(0, rt.exec(id, p, Stdio.files(null, out, err)), Files.readString(err));
        assertEquals(List.of("keyring: allowed", "keyring: refused (ENOKEY)"), Files.readString(out).lines().toList());
        assertEquals(List.of("keyring: refused (ENOKEY)"), probeOnHost("keyring", containerKey),
                "the container's key reached the host's session keyring");
    }

    /** runc's --no-new-keyring: the caller's session keyring stays, for the container's init and for its execs. */
    @Test
    void withNoNewKeyringTheContainerAndItsExecsKeepTheCallersKeyring() throws Exception {
        CreateOptions keep = new CreateOptions(0, false, true);
        bundle.write(BusyboxBundle.defaultSpec("/probe", "keyring", hostKey));
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        assertEquals(0, rt.run(bundle.dir, id, Stdio.files(null, out, err), keep), Files.readString(err));
        assertEquals(List.of("keyring: allowed"), Files.readString(out).lines().toList());

        bundle.write(BusyboxBundle.defaultSpec("sleep", "60"));
        rt.create(bundle.dir, id, null, null, keep);
        rt.startCreated(id);
        ProcessSpec p = rt.processOf(id).withArgs(List.of("/probe", "keyring", hostKey));
        Path execOut = tmp.resolve("exec-out");
        assertEquals(0, rt.exec(id, p, Stdio.files(null, execOut, err)), Files.readString(err));
        assertEquals(List.of("keyring: allowed"), Files.readString(execOut).lines().toList());
    }
}
