package dev.dcont.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json and the OCI state as the runtime writes and reads them. */
class SpecJsonTest {
    @TempDir Path tmp;

    static Spec full() {
        Spec d = DefaultSpec.docker(List.of("sh", "-c", "echo \"hi\"\t\\ \u00e9"), false);
        Linux.Seccomp seccomp = new Linux.Seccomp("SCMP_ACT_ALLOW", 13,
                List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"), List.of("SECCOMP_FILTER_FLAG_LOG"), List.of(
                        new Linux.Syscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", 13, null),
                        new Linux.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", null, List.of(
                                new Linux.Arg(0, 0x7e020000L, 0, "SCMP_CMP_MASKED_EQ"),
                                new Linux.Arg(5, Long.MAX_VALUE, 7, "SCMP_CMP_LT")))));
        Spec s = d.withHostname("box")
                .withProcess(d.process().withTerminal(true)
                        .withUser(new ProcessSpec.User(1000, 1000, 18, List.of(5L, 6L))))
                .withLinux(d.linux().withCgroupsPath("/dcont/x").withSeccomp(seccomp).withResources(
                        new Linux.Resources(new Linux.Memory(1L << 33, -1L), Linux.Cpu.ofCpus(1.5),
                                new Linux.Pids(100), List.of(
                                new Linux.DeviceRule(false, null, null, null, null),
                                new Linux.DeviceRule(true, "c", 1L, 3L, "rwm"),
                                new Linux.DeviceRule(true, "b", null, 0L, "m"))))
                        .withDevices(List.of(new Linux.Device("/dev/kmsg", "c", 1, 11, 0644, 0L, 4L),
                                new Linux.Device("/dev/loop0", "b", 7, 0, null, null, null))));
        return new Spec(s.ociVersion(), new Spec.Root("rootfs", true), s.process(), s.hostname(), "example.org",
                s.mounts(), s.linux(), Map.of("a", "b"));
    }

    private static Map<String, Object> tree(String json) throws IOException {
        return SpecJson.JSON.mapFrom(json);
    }

    @Test
    void aFullSpecRoundTripsThroughConfigJsonWrittenForItsOwnerOnly() throws IOException {
        for (Spec s : List.of(full(), DefaultSpec.docker(List.of("true"), true))) {
            Path f = tmp.resolve("config.json");
            SpecJson.write(f, s);
            assertEquals(s, SpecJson.readSpec(f));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            assertFalse(Files.exists(tmp.resolve(".config.json.tmp")));
        }
    }

    @Test
    void writesTheRuntimeSpecsMembersInOrderAndLeavesOutWhatIsNotSet() throws IOException {
        Spec s = new Spec("1.0.2", new Spec.Root("rootfs", null),
                new ProcessSpec(null, new ProcessSpec.User(0, 0, null, null), List.of("true"), null, "/", null,
                        List.of(new ProcessSpec.Rlimit("RLIMIT_NOFILE", 1024, 1024)), null),
                "box", null, List.of(new Spec.Mount("/proc", "proc", "proc", null)),
                new Linux(List.of(Linux.Namespace.of("pid")), new Linux.Resources(new Linux.Memory(1024L, null),
                        null, null, List.of(new Linux.DeviceRule(false, "a", null, null, "rwm"))), null, null, null,
                        null, new Linux.Seccomp("SCMP_ACT_ERRNO", 1, null, null, List.of(new Linux.Syscall(
                                List.of("read"), "SCMP_ACT_ALLOW", null,
                                List.of(new Linux.Arg(0, 1, 0, "SCMP_CMP_EQ")))))),
                null);
        String written = SpecJson.toJson(s);
        Map<String, Object> expected = tree("""
                {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                 "process": {"user": {"uid": 0, "gid": 0}, "args": ["true"], "cwd": "/",
                             "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]},
                 "hostname": "box", "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
                 "linux": {"namespaces": [{"type": "pid"}],
                           "resources": {"memory": {"limit": 1024},
                                         "devices": [{"allow": false, "type": "a", "access": "rwm"}]},
                           "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                                       "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                                                     "args": [{"index": 0, "value": 1, "valueTwo": 0,
                                                               "op": "SCMP_CMP_EQ"}]}]}}}
                """);
        Map<String, Object> actual = tree(written);
        assertEquals(expected, actual, written);
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), written);
    }

    @Test
    void unknownMembersAreIgnoredAndMissingOnesAreNull() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":"
                + "{\"args\":[\"true\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"oomScoreAdj\":5},"
                + "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"},\"sysctl\":{\"a\":\"b\"}},"
                + "\"hooks\":{\"prestart\":[{\"path\":\"/bin/x\"}]}}");
        Spec s = SpecJson.readSpec(f);
        assertEquals(List.of("true"), s.process().args());
        assertNull(s.mounts());
        assertNull(s.linux().namespaces());
        assertEquals(false, s.root().isReadonly());
        assertEquals("SCMP_ACT_ALLOW", s.linux().seccomp().defaultAction());
    }

    /** The start path reads config.json as maps (SpecMaps): it must read what binding the records reads. */
    @Test
    void theStartPathsReadingAgreesWithBindingTheRecords() throws IOException {
        for (Spec s : List.of(full(), DefaultSpec.docker(List.of("true"), true))) {
            Path f = tmp.resolve("config.json");
            SpecJson.write(f, s);
            assertEquals(SpecJson.read(f, Spec.class), SpecMaps.readSpec(f));
        }
    }

    @Test
    void aSeccompValueAboveALongIsReadAsItsSixtyFourBits() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{"
                + "\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, "
                + "\"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"}]}]}}}");
        assertEquals(-1L, SpecJson.readSpec(f).linux().seccomp().syscalls().get(0).args().get(0).value());
        Files.writeString(f, "{\"linux\": {\"seccomp\": {\"syscalls\": [{\"args\": [{\"value\": 18446744073709551616}]}]}}}");
        IOException e = assertThrows(IOException.class, () -> SpecJson.readSpec(f));
        assertTrue(e.getMessage().contains("not a uint64"), e.getMessage());
    }

    @Test
    void malformedOrMistypedJsonIsAnIoErrorOfOneLineNamingTheFile() throws IOException {
        Path f = tmp.resolve("config.json");
        for (String bad : List.of("{\"process\": [1, 2", "{\"process\": \"no\"}", "{\"process\": {\"args\": 5}}",
                "{\"process\": {\"user\": {\"uid\": \"root\"}}}", "", "not json\n\n")) {
            Files.writeString(f, bad);
            IOException e = assertThrows(IOException.class, () -> SpecJson.readSpec(f), bad);
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith(f + ": invalid JSON"), e.getMessage());
        }
    }

    @Test
    void theOciStateHasItsMembersAndLeavesOutAbsentAnnotations() throws IOException {
        ContainerState st = new ContainerState("1.0.2", "c1", ContainerState.RUNNING, 42, "/b", Map.of("k", "v"));
        assertEquals(tree("{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"running\",\"pid\":42,\"bundle\":\"/b\","
                + "\"annotations\":{\"k\":\"v\"}}"), tree(SpecJson.toJson(st)));
        ContainerState none = new ContainerState("1.0.2", "c1", ContainerState.STOPPED, 0, "/b", null);
        assertEquals(tree("{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"stopped\",\"pid\":0,\"bundle\":\"/b\"}"),
                tree(SpecJson.toJson(none)));
    }

    @Test
    void aRecordOfTheWrongShapeIsOneLineInParse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpecJson.parse("{\"ociVersion\": {\n\"a\": 1}}".getBytes(StandardCharsets.UTF_8), Spec.class));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void cpusFigureBecomesQuotaOverAHundredMillisecondPeriod() {
        assertEquals(new Linux.Cpu(150_000L, 100_000L, null), Linux.Cpu.ofCpus(1.5));
        assertThrows(IllegalArgumentException.class, () -> Linux.Cpu.ofCpus(0));
    }
}
