package dev.dcont.store.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSON;
import com.fasterxml.jackson.jr.ob.JSONObjectException;
import com.fasterxml.jackson.jr.ob.JacksonJrExtension;
import com.fasterxml.jackson.jr.ob.api.ExtensionContext;
import com.fasterxml.jackson.jr.ob.api.ReaderWriterModifier;
import com.fasterxml.jackson.jr.ob.api.ReaderWriterProvider;
import com.fasterxml.jackson.jr.ob.api.ValueReader;
import com.fasterxml.jackson.jr.ob.api.ValueWriter;
import com.fasterxml.jackson.jr.ob.impl.BeanPropertyIntrospector;
import com.fasterxml.jackson.jr.ob.impl.JSONReader;
import com.fasterxml.jackson.jr.ob.impl.JSONWriter;
import com.fasterxml.jackson.jr.ob.impl.POJODefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * dcont's JSON, by jackson-jr: records bound by their components (renamed where a format spells a member
 * otherwise, as Docker's capitalised {@code Env}: {@link Renames}), {@link Digest} and {@link MediaType} as the
 * strings they parse, plain maps and lists for documents without a model. Unknown members are ignored and null
 * members of records are left out; a document that does not fit is an IllegalArgumentException of one line.
 */
public final class Json {
  private static final JSON JSON = com.fasterxml.jackson.jr.ob.JSON.builder()
      .enable(com.fasterxml.jackson.jr.ob.JSON.Feature.WRITE_RECORD_FIELDS_IN_DECLARATION_ORDER)
      .register(new Model())
      .build();

  /** For people: indented, and a map's null values written as null (as {@code docker inspect} shows them). */
  private static final JSON PRETTY = JSON.with(com.fasterxml.jackson.jr.ob.JSON.Feature.PRETTY_PRINT_OUTPUT,
      com.fasterxml.jackson.jr.ob.JSON.Feature.WRITE_NULL_PROPERTIES);

  private Json() { }

  /** {@code json} bound to {@code type}; {@code what} names the document in the error. */
  public static <T> T read(byte[] json, Class<T> type, String what) {
    try (JsonParser p = JSON.createParser(json)) {
      try {
        return present(JSON.beanFrom(type, p), what);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(what + ": " + problem(e, p), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A JSON document as plain values: objects as maps in the document's order, arrays as lists, strings, numbers
   * (Integer, Long or BigInteger; Double), booleans and nulls; null for the document {@code null}.
   */
  public static Object readAny(byte[] json, String what) {
    try (JsonParser p = JSON.createParser(json)) {
      try {
        return JSON.anyFrom(p);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(what + ": " + problem(e, p), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON object as plain values (see {@link #readAny}). */
  public static Map<String, Object> readObject(byte[] json, String what) {
    Object v = readAny(json, what);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException(what + ": invalid JSON (not an object)");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    return m;
  }

  /** The text of a plain value: a string itself, a number's or boolean's text, {@code orElse} for anything else. */
  public static String text(Object value, String orElse) {
    return value instanceof String || value instanceof Number || value instanceof Boolean ? value.toString() : orElse;
  }

  /** A JSON array of strings (numbers and booleans are taken as their text); {@code what} names it. */
  public static List<String> readStrings(byte[] json, String what) {
    try (JsonParser p = JSON.createParser(json)) {
      try {
        return present(JSON.listOfFrom(String.class, p), what);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(what + ": " + problem(e, p), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T present(T value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + ": invalid JSON (no content)");
    }
    return value;
  }

  public static byte[] write(Object value) {
    try {
      return JSON.asBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pretty(Object value) {
    try {
      return PRETTY.asString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** jackson's message on one line, with where in the document: line, column and the member's path. */
  static String problem(JsonProcessingException e, JsonParser p) {
    // jackson's end-of-input message names its own settings ("[Source: REDACTED (`StreamReadFeature…`"): cut
    String what = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage()
        .replaceAll("\\s*\\(start marker at \\[Source:.*$", "");
    StringBuilder b = new StringBuilder("invalid JSON");
    if (p.getParsingContext() != null) {
      String path = p.getParsingContext().pathAsPointer().toString();
      if (!path.isEmpty()) {
        b.append(" at ").append(path);
      }
    }
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      b.append(" (line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr()).append(')');
    }
    b.append(": ");
    for (int i = 0; i < what.length(); i++) {
      char c = what.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return b.toString();
  }

  /** What jackson-jr needs to know about the model: value types, renamed members, strict scalars. */
  private static final class Model extends JacksonJrExtension {
    @Override
    protected void register(ExtensionContext ctx) {
      ctx.insertProvider(new ValueTypes());
      ctx.insertModifier(new Renames());
      ctx.appendModifier(new PlainWords());
    }
  }

  /**
   * Digest and MediaType as strings; strings, ints and longs only from tokens that can be them (jackson-jr would
   * read an object given for a string as members of the enclosing record, and a number from any text). A string
   * still takes a number or boolean as its text, as jackson's data binding does ({@code "Labels": {"n": 7}}).
   */
  private static final class ValueTypes extends ReaderWriterProvider {
    @Override
    public ValueReader findValueReader(JSONReader ctx, Class<?> type) {
      if (type == Digest.class || type == MediaType.class || type == String.class || type == Long.class
          || type == long.class || type == Integer.class || type == int.class || type == Boolean.class
          || type == boolean.class) {
        return new Scalar(type);
      }
      return null;
    }

    @Override
    public ValueWriter findValueWriter(JSONWriter ctx, Class<?> type) {
      return type == Digest.class || type == MediaType.class ? new AsString(type) : null;
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
        return _valueType == long.class ? (Object) 0L : _valueType == int.class ? (Object) 0
            : _valueType == boolean.class ? (Object) Boolean.FALSE : null;
      }
      if (_valueType == Boolean.class || _valueType == boolean.class) {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw JSONObjectException.from(p, "expected true or false, not " + _tokenDesc(p));
        }
        return t == JsonToken.VALUE_TRUE;
      }
      if (_valueType == Long.class || _valueType == long.class || _valueType == Integer.class
          || _valueType == int.class) {
        if (t != JsonToken.VALUE_NUMBER_INT) {
          throw JSONObjectException.from(p, "expected an integer, not " + _tokenDesc(p));
        }
        try {
          return _valueType == Long.class || _valueType == long.class ? (Object) p.getLongValue()
              : (Object) p.getIntValue();
        } catch (JsonProcessingException e) {
          throw JSONObjectException.from(p, "expected an integer, not " + abbreviated(p.getText()) + " (out of range)");
        }
      }
      if (t == JsonToken.VALUE_STRING && _valueType == Digest.class) {
        try {
          return Digest.parse(p.getText());
        } catch (IllegalArgumentException e) {
          throw JSONObjectException.from(p, e.getMessage());
        }
      }
      if (t == JsonToken.VALUE_STRING && _valueType == MediaType.class) {
        try {
          return MediaType.of(p.getText());
        } catch (IllegalArgumentException e) {
          throw JSONObjectException.from(p, e.getMessage());
        }
      }
      if (_valueType == String.class && (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT
          || t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE)) {
        return p.getText();
      }
      throw JSONObjectException.from(p, "expected a string, not " + _tokenDesc(p));
    }
  }

  /** An unmodifiable copy of a record's list member, refusing a null entry by the member's name. */
  static <T> List<T> copyOf(List<T> list, String member) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw new IllegalArgumentException(member + "[" + i + "] is null");
      }
    }
    return List.copyOf(list);
  }

  /** An unmodifiable copy of a record's map member, refusing a null value by its key. */
  static <K, V> Map<K, V> copyOf(Map<K, V> map, String member) {
    for (Map.Entry<K, V> e : map.entrySet()) {
      if (e.getValue() == null) {
        throw new IllegalArgumentException(member + "." + e.getKey() + " is null");
      }
    }
    return Map.copyOf(map);
  }

  private static String abbreviated(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  /**
   * Errors in the document's terms instead of jackson-jr's: a value of the wrong kind where an object or array is
   * expected ("expected an object, not JSON String"), and a record that refuses its members with the record's own
   * message, not the name of a Java class.
   */
  private static final class PlainWords extends ReaderWriterModifier {
    @Override
    public ValueReader modifyValueReader(JSONReader ctx, Class<?> type, ValueReader reader) {
      if (type == Digest.class || type == MediaType.class) {
        return reader; // records written as strings
      }
      if (type.isRecord() || Map.class.isAssignableFrom(type)) {
        return new Expecting(reader, JsonToken.START_OBJECT, "an object");
      }
      if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
        return new Expecting(reader, JsonToken.START_ARRAY, "an array");
      }
      return reader;
    }
  }

  private static final class Expecting extends ValueReader {
    private final ValueReader reader;
    private final JsonToken start;
    private final String expected;

    Expecting(ValueReader reader, JsonToken start, String expected) {
      super(reader.valueType());
      this.reader = reader;
      this.start = start;
      this.expected = expected;
    }

    @Override
    public Object read(JSONReader r, JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      if (t != start && t != JsonToken.VALUE_NULL) {
        throw JSONObjectException.from(p, "expected " + expected + ", not " + _tokenDesc(p));
      }
      try {
        return reader.read(r, p);
      } catch (JSONObjectException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
          if (c instanceof java.lang.reflect.InvocationTargetException ite
              && ite.getTargetException() instanceof IllegalArgumentException refused) {
            throw JSONObjectException.from(p, refused.getMessage());
          }
        }
        throw e;
      }
    }
  }

  private record AsString(Class<?> valueType) implements ValueWriter {
    @Override
    public void writeValue(JSONWriter context, JsonGenerator g, Object value) throws IOException {
      g.writeString(value.toString());
    }
  }

  /**
   * Records by their components only, each by the name its format gives it: Docker's container config spells its
   * members capitalised (Go's exported names), the OCI config's rootfs and history use snake case, a platform has
   * dotted members. A table rather than annotations: reading an annotation makes a proxy class for its type.
   */
  private static final class Renames extends ReaderWriterModifier {
    private static final Map<Class<?>, Map<String, String>> NAMES = Map.of(
        ImageConfig.Config.class, Map.of("user", "User", "exposedPorts", "ExposedPorts", "env", "Env",
            "entrypoint", "Entrypoint", "cmd", "Cmd", "volumes", "Volumes", "workingDir", "WorkingDir",
            "labels", "Labels", "stopSignal", "StopSignal"),
        ImageConfig.RootFs.class, Map.of("diffIds", "diff_ids"),
        ImageConfig.History.class, Map.of("createdBy", "created_by", "emptyLayer", "empty_layer"),
        Platform.class, Map.of("osVersion", "os.version", "osFeatures", "os.features"));

    @Override
    public POJODefinition pojoDefinitionForDeserialization(JSONReader ctx, Class<?> type) {
      return renamed(BeanPropertyIntrospector.instance().pojoDefinitionForDeserialization(ctx, type), type);
    }

    @Override
    public POJODefinition pojoDefinitionForSerialization(JSONWriter ctx, Class<?> type) {
      return renamed(BeanPropertyIntrospector.instance().pojoDefinitionForSerialization(ctx, type), type);
    }

    private static POJODefinition renamed(POJODefinition def, Class<?> type) {
      if (!type.isRecord()) {
        return def;
      }
      Map<String, String> names = NAMES.getOrDefault(type, Map.of());
      List<POJODefinition.Prop> props = new ArrayList<>();
      for (POJODefinition.Prop p : def.getProperties()) {
        if (!isComponent(type, p.name)) {
          continue; // a derived value such as Platform.isUnknown(), not a member of the format
        }
        String name = names.getOrDefault(p.name, p.name);
        props.add(name.equals(p.name) ? p
            : new POJODefinition.Prop(name, p.name, p.field, p.setter, p.getter, p.isGetter, null));
      }
      return def.withProperties(props);
    }

    private static boolean isComponent(Class<?> record, String name) {
      for (RecordComponent rc : record.getRecordComponents()) {
        if (rc.getName().equals(name)) {
          return true;
        }
      }
      return false;
    }
  }
}
