package dev.dcont.runtime.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSON;
import com.fasterxml.jackson.jr.ob.JSONObjectException;
import com.fasterxml.jackson.jr.ob.JacksonJrExtension;
import com.fasterxml.jackson.jr.ob.api.ExtensionContext;
import com.fasterxml.jackson.jr.ob.api.ReaderWriterProvider;
import com.fasterxml.jackson.jr.ob.api.ValueReader;
import com.fasterxml.jackson.jr.ob.impl.JSONReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The runtime's JSON: {@code config.json}, the OCI state ({@link ContainerState}), the runtime's own
 * {@code state.json} and seccomp profiles, bound to their records by jackson-jr. Records are written with their
 * components in declaration order and null members left out, as the runtime spec omits what is not set; unknown
 * members are ignored when reading.
 *
 * <p>One instance for the process: a start reads config.json and writes state.json through it, and jackson-jr
 * keeps what it learnt about each record class in the instance.
 */
public final class SpecJson {
    static final JSON JSON = com.fasterxml.jackson.jr.ob.JSON.builder()
            .enable(com.fasterxml.jackson.jr.ob.JSON.Feature.PRETTY_PRINT_OUTPUT,
                    com.fasterxml.jackson.jr.ob.JSON.Feature.WRITE_RECORD_FIELDS_IN_DECLARATION_ORDER)
            .register(new StrictScalars())
            .build();

    private SpecJson() {}

    /** config.json, read on every container start: through {@link SpecMaps}, which says why. */
    public static Spec readSpec(Path configJson) throws IOException {
        return SpecMaps.readSpec(configJson);
    }

    /** {@code file} bound to {@code type}; a file that is not JSON of that shape is an IOException of one line. */
    public static <T> T read(Path file, Class<T> type) throws IOException {
        byte[] json = Files.readAllBytes(file);
        try {
            return JSON.beanFrom(type, json);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": " + problem(e), e);
        }
    }

    /** {@code json} bound to {@code type}; what is not JSON of that shape is an IllegalArgumentException of one line. */
    static <T> T parse(byte[] json, Class<T> type) {
        try {
            return JSON.beanFrom(type, json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(problem(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a record to {@code file}, atomically, readable by its owner only. */
    public static void write(Path file, Object value) throws IOException {
        PrivateFiles.write(file, JSON.asBytes(value));
    }

    /** A record ({@link Spec}, {@link ContainerState}) as indented JSON. */
    public static String toJson(Object value) {
        try {
            return JSON.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A value as JSON on one line, as runc's list and ps print it (Go's json.Encoder). */
    public static String toCompactJson(Object value) {
        try {
            return JSON.without(com.fasterxml.jackson.jr.ob.JSON.Feature.PRETTY_PRINT_OUTPUT).asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Strings, ints and longs read only from what they can be: jackson-jr takes any token as a string (an object
     * becomes null and its members are then read as the enclosing record's) and a number from any text (a uid of
     * "root" would be 0). A string still takes a number or boolean as its text, as jackson's data binding does.
     */
    private static final class StrictScalars extends JacksonJrExtension {
        @Override
        protected void register(ExtensionContext ctx) {
            ctx.insertProvider(new ReaderWriterProvider() {
                @Override
                public ValueReader findValueReader(JSONReader readContext, Class<?> type) {
                    if (type == String.class || type == Long.class || type == long.class || type == Integer.class
                            || type == int.class) {
                        return new Scalar(type);
                    }
                    return null;
                }
            });
        }
    }

    private static final class Scalar extends ValueReader {
        Scalar(Class<?> type) {
            super(type);
        }

        @Override
        public Object read(JSONReader reader, JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NULL) {
                return _valueType == long.class ? (Object) 0L : _valueType == int.class ? (Object) 0 : null;
            }
            if (_valueType == String.class) {
                if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT
                        || t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    return p.getText();
                }
                throw JSONObjectException.from(p, "expected a string, not " + _tokenDesc(p));
            }
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw JSONObjectException.from(p, "expected an integer, not " + _tokenDesc(p));
            }
            return _valueType == Long.class || _valueType == long.class ? (Object) p.getLongValue()
                    : (Object) p.getIntValue();
        }
    }

    /** jackson's message without its multi-line location, and the line and column on one line. */
    static String problem(JsonProcessingException e) {
        String what = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        StringBuilder b = new StringBuilder("invalid JSON");
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            b.append(" at line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr());
        }
        b.append(": ");
        // a message may quote the document's text, control characters included
        for (int i = 0; i < what.length(); i++) {
            char c = what.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }
}
