package dev.dcont.runtime.spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads and writes {@code config.json} and the OCI state ({@link ContainerState}) with the runtime's own JSON
 * code ({@link JsonTree}, {@link SpecReader}, {@link SpecWriter}): the runtime module needs no JSON library,
 * so a start's class path is the runtime jar and JNA only.
 */
public final class SpecJson {
    private SpecJson() {}

    public static Spec readSpec(Path configJson) throws IOException {
        return SpecReader.read(configJson);
    }

    /** Writes a {@link Spec} or a {@link ContainerState} to {@code file}, atomically, readable by its owner only. */
    public static void write(Path file, Object value) throws IOException {
        PrivateFiles.write(file, bytes(value));
    }

    /** A {@link Spec} or a {@link ContainerState} as indented JSON. */
    public static String toJson(Object value) {
        try {
            return new String(bytes(value), StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Object value) throws IOException {
        Map<String, Object> tree;
        if (value instanceof Spec s) {
            tree = SpecWriter.spec(s);
        } else if (value instanceof ContainerState s) {
            tree = SpecWriter.state(s);
        } else {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as a runtime spec file");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonTree.write(out, tree);
        return out.toByteArray();
    }
}
