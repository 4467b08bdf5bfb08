package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hooks of config.json as the runtime reads them, and the state they get. */
class OciHooksTest {
    @Test
    void hooksByKindWithTheirArgsEnvAndTimeout() {
        OciHooks h = OciHooks.parse(Map.of(
                "createRuntime", List.of(Map.of("path", "/bin/a", "args", List.of("a", "-x"), "env", List.of("K=V"),
                        "timeout", 5)),
                "poststop", List.of(Map.of("path", "/bin/b")),
                "someFutureKind", List.of(Map.of("path", "/bin/c"))));
        assertEquals(List.of(new OciHooks.Hook("/bin/a", List.of("a", "-x"), List.of("K=V"), 5)),
                h.of("createRuntime"));
        assertEquals(List.of(new OciHooks.Hook("/bin/b", List.of(), List.of(), 0)), h.of("poststop"));
        assertEquals(List.of(), h.of("prestart"));
        assertEquals(List.of(), h.of("someFutureKind"), "an unknown kind is ignored");
        assertEquals(Map.of("poststop", List.of(Map.of("path", "/bin/b", "args", List.of(), "env", List.of(),
                "timeout", 0))), h.kept(), "only poststart and poststop are kept for later");
    }

    @Test
    void aHookNeedsAnAbsolutePathAndATimeoutAboveZero() {
        assertThrows(IllegalArgumentException.class,
                () -> OciHooks.parse(Map.of("prestart", List.of(Map.of("path", "bin/a")))));
        assertThrows(IllegalArgumentException.class,
                () -> OciHooks.parse(Map.of("prestart", List.of(Map.of("args", List.of("a"))))));
        assertThrows(IllegalArgumentException.class,
                () -> OciHooks.parse(Map.of("prestart", List.of(Map.of("path", "/a", "timeout", -1)))));
    }

    @Test
    void theStateAroundThePidIsTheRuntimeSpecsState() throws Exception {
        String[] p = OciHooks.statePieces("1.0.2", "c1", "creating", "/b \"q\"", Map.of("k", "v"));
        assertEquals("{\"ociVersion\": \"1.0.2\", \"id\": \"c1\", \"status\": \"creating\", \"pid\": 4242,"
                + " \"bundle\": \"/b \\\"q\\\"\", \"annotations\": {\"k\": \"v\"}}", p[0] + 4242 + p[1]);
        assertTrue(p[0].endsWith("\"pid\": "));
    }
}
