package dev.dcont.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecWriterTest {
    /** jackson-databind as the reference: records by their components, null members left out. */
    static final ObjectMapper DATABIND = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @TempDir Path tmp;

    static Spec full() {
        Spec d = DefaultSpec.docker(List.of("sh", "-c", "echo \"hi\"\t\\ \u00e9"), false);
        Spec s = d.withHostname("box")
                .withProcess(d.process().withTerminal(true)
                        .withUser(new ProcessSpec.User(1000, 1000, 18, List.of(5L, 6L))))
                .withLinux(d.linux().withCgroupsPath("/dcont/x").withResources(new Linux.Resources(
                        new Linux.Memory(1L << 30, -1L), Linux.Cpu.ofCpus(1.5), new Linux.Pids(100), List.of(
                                new Linux.DeviceRule(false, null, null, null, null),
                                new Linux.DeviceRule(true, "c", 1L, 3L, "rwm"),
                                new Linux.DeviceRule(true, "b", null, 0L, "m")))));
        return new Spec(s.ociVersion(), s.root(), s.process(), s.hostname(), "example.org", s.mounts(), s.linux(),
                Map.of("a", "b"));
    }

    @Test
    void writesTheTreeDatabindWritesAndReadsBackEqual() throws IOException {
        for (Spec s : List.of(full(), DefaultSpec.docker(List.of("true"), true))) {
            String ours = SpecJson.toJson(s);
            JsonNode expected = DATABIND.readTree(DATABIND.writeValueAsString(s));
            assertEquals(expected, DATABIND.readTree(ours), ours);
            assertEquals(s, DATABIND.readValue(ours, Spec.class));
            Path f = tmp.resolve("config.json");
            SpecJson.write(f, s);
            assertEquals(s, SpecJson.readSpec(f));
            assertFalse(Files.exists(tmp.resolve(".config.json.tmp")));
        }
    }

    @Test
    void aSeccompSectionWithEveryFieldRoundTrips() throws IOException {
        Spec d = DefaultSpec.docker(List.of("true"), false);
        Linux.Seccomp s = new Linux.Seccomp("SCMP_ACT_ALLOW", 13, List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"),
                List.of("SECCOMP_FILTER_FLAG_LOG"), List.of(
                        new Linux.Syscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", 13, null),
                        new Linux.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", null, List.of(
                                new Linux.Arg(0, 0x7e020000L, 0, "SCMP_CMP_MASKED_EQ"),
                                new Linux.Arg(5, Long.MAX_VALUE, 7, "SCMP_CMP_LT")))));
        Spec spec = d.withLinux(d.linux().withSeccomp(s));
        String ours = SpecJson.toJson(spec);
        assertEquals(DATABIND.readTree(DATABIND.writeValueAsString(spec)), DATABIND.readTree(ours), ours);
        Path f = tmp.resolve("config.json");
        SpecJson.write(f, spec);
        assertEquals(spec, SpecJson.readSpec(f));
        assertEquals(spec, DATABIND.readValue(ours, Spec.class));
    }

    @Test
    void writesTheOciStateAsDatabindDoes() throws IOException {
        ContainerState st = new ContainerState("1.0.2", "c1", ContainerState.RUNNING, 42, "/b", Map.of("k", "v"));
        assertEquals(DATABIND.readTree(DATABIND.writeValueAsString(st)), DATABIND.readTree(SpecJson.toJson(st)));
        ContainerState none = new ContainerState("1.0.2", "c1", ContainerState.STOPPED, 0, "/b", null);
        assertEquals(DATABIND.readTree(DATABIND.writeValueAsString(none)), DATABIND.readTree(SpecJson.toJson(none)));
    }

    @Test
    void refusesOtherTypes() {
        assertThrows(IllegalArgumentException.class, () -> SpecJson.toJson("not a spec"));
    }
}
