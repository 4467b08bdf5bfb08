package dev.dcont.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecReaderTest {
    @TempDir Path tmp;

    @Test
    void readsWhatDatabindWritesIntoEqualRecords() throws IOException {
        Spec full = SpecWriterTest.full();
        Path f = tmp.resolve("config.json");
        Files.writeString(f, SpecWriterTest.DATABIND.writeValueAsString(full));
        assertEquals(full, SpecReader.read(f));
        assertEquals(full, SpecJson.readSpec(f));
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingOnesAreNull() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":"
                + "{\"args\":[\"true\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"oomScoreAdj\":5},"
                + "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}");
        Spec s = SpecReader.read(f);
        assertEquals(List.of("true"), s.process().args());
        assertEquals(null, s.mounts());
        assertEquals(null, s.linux().namespaces());
        assertEquals(false, s.root().isReadonly());
    }

    @Test
    void malformedJsonIsAnIoError() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"process\": [1, 2");
        assertThrows(IOException.class, () -> SpecReader.read(f));
        Files.writeString(f, "{\"process\": \"no\"}");
        assertThrows(IOException.class, () -> SpecReader.read(f));
    }

    @Test
    void cpusFigureBecomesQuotaOverAHundredMillisecondPeriod() {
        assertEquals(new Linux.Cpu(150_000L, 100_000L, null), Linux.Cpu.ofCpus(1.5));
        assertThrows(IllegalArgumentException.class, () -> Linux.Cpu.ofCpus(0));
    }
}
