package dev.dcont.store.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The image configuration blob (OCI image config / Docker image JSON), the parts dcont uses. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageConfig(
    String created,
    String author,
    String architecture,
    String os,
    String variant,
    @JsonProperty("config") Config config,
    @JsonProperty("rootfs") RootFs rootfs,
    @JsonProperty("history") List<History> history) {

  public ImageConfig {
    history = history == null ? List.of() : List.copyOf(history);
  }

  public static ImageConfig parse(byte[] json, String what) {
    ImageConfig c = fromValues(JsonValues.parse(json, what), what);
    if (c.rootfs() == null) {
      throw new IllegalArgumentException(what + ": image config has no rootfs");
    }
    return c;
  }

  // Read as plain values with Jackson's streaming parser (JsonValues), not bound to the records: binding builds
  // an ObjectMapper and a deserializer for each record by introspecting it, which at their first use (every
  // start of dcont run) cost ~560 classes; with this and the container's command written the same way, a
  // dcont run --rm loads no data-binding class and takes 186 ms instead of 214 (hyperfine, 40 runs each). The
  // shapes are checked as binding checked them: a field of the wrong kind is an error naming it.
  private static ImageConfig fromValues(Object root, String what) {
    if (!(root instanceof Map<?, ?> n)) {
      throw new IllegalArgumentException(what + ": invalid JSON (an image config is an object)");
    }
    Map<?, ?> cfg = object(n, "config", what);
    Config config = cfg == null ? null : new Config(text(cfg, "User", what), objectMap(cfg, "ExposedPorts", what),
        strings(cfg, "Env", what), strings(cfg, "Entrypoint", what), strings(cfg, "Cmd", what),
        objectMap(cfg, "Volumes", what), text(cfg, "WorkingDir", what), stringMap(cfg, "Labels", what),
        text(cfg, "StopSignal", what));
    Map<?, ?> rf = object(n, "rootfs", what);
    RootFs rootfs = null;
    if (rf != null) {
      List<Digest> digests = new ArrayList<>();
      List<String> ids = strings(rf, "diff_ids", what);
      for (String id : ids == null ? List.<String>of() : ids) {
        try {
          digests.add(Digest.parse(id));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(what + ": rootfs.diff_ids: " + e.getMessage(), e);
        }
      }
      rootfs = new RootFs(text(rf, "type", what), digests);
    }
    List<History> history = null;
    Object hist = n.get("history");
    if (hist != null) {
      if (!(hist instanceof List<?> entries)) {
        throw wrongKind(what, "history", "a list");
      }
      history = new ArrayList<>();
      for (Object e : entries) {
        if (!(e instanceof Map<?, ?> h)) {
          throw wrongKind(what, "history", "a list of objects");
        }
        Object empty = h.get("empty_layer");
        if (empty != null && !(empty instanceof Boolean) && !(empty instanceof String)) {
          throw wrongKind(what, "history.empty_layer", "true or false");
        }
        history.add(new History(text(h, "created", what), text(h, "created_by", what), text(h, "author", what),
            text(h, "comment", what), empty == null ? null : Boolean.valueOf(empty.toString())));
      }
    }
    return new ImageConfig(text(n, "created", what), text(n, "author", what), text(n, "architecture", what),
        text(n, "os", what), text(n, "variant", what), config, rootfs, history);
  }

  private static IllegalArgumentException wrongKind(String what, String field, String kind) {
    return new IllegalArgumentException(what + ": invalid JSON (" + field + " is not " + kind + ")");
  }

  private static Map<?, ?> object(Map<?, ?> n, String field, String what) {
    Object v = n.get(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw wrongKind(what, field, "an object");
    }
    return m;
  }

  /** A string field; numbers and booleans are taken as their text, as binding did. */
  private static String text(Map<?, ?> n, String field, String what) {
    Object v = n.get(field);
    if (v == null) {
      return null;
    }
    if (!JsonValues.isScalar(v)) {
      throw wrongKind(what, field, "a string");
    }
    return v.toString();
  }

  private static List<String> strings(Map<?, ?> n, String field, String what) {
    Object v = n.get(field);
    if (v == null) {
      return null;
    }
    List<String> out = JsonValues.strings(v);
    if (out == null) {
      throw wrongKind(what, field, "a list of strings");
    }
    return out;
  }

  private static Map<String, String> stringMap(Map<?, ?> n, String field, String what) {
    Map<?, ?> v = object(n, field, what);
    if (v == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : v.entrySet()) {
      if (e.getValue() != null && !JsonValues.isScalar(e.getValue())) {
        throw wrongKind(what, field, "a map of strings");
      }
      out.put((String) e.getKey(), e.getValue() == null ? null : e.getValue().toString());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> objectMap(Map<?, ?> n, String field, String what) {
    return (Map<String, Object>) object(n, field, what);
  }

  public List<Digest> diffIds() {
    return rootfs == null ? List.of() : rootfs.diffIds();
  }

  public Platform platform() {
    return Platform.normalise(os == null ? "linux" : os, architecture == null ? "unknown" : architecture, variant);
  }

  /** The container defaults of an image (Docker's {@code config} object). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Config(
      @JsonProperty("User") String user,
      @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
      @JsonProperty("Env") List<String> env,
      @JsonProperty("Entrypoint") List<String> entrypoint,
      @JsonProperty("Cmd") List<String> cmd,
      @JsonProperty("Volumes") Map<String, Object> volumes,
      @JsonProperty("WorkingDir") String workingDir,
      @JsonProperty("Labels") Map<String, String> labels,
      @JsonProperty("StopSignal") String stopSignal) { }

  /** The layer list by uncompressed digest. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RootFs(
      @JsonProperty("type") String type,
      @JsonProperty("diff_ids") List<Digest> diffIds) {
    public RootFs {
      diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }
  }

  /** One history entry; {@code empty_layer} entries have no layer. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record History(
      @JsonProperty("created") String created,
      @JsonProperty("created_by") String createdBy,
      @JsonProperty("author") String author,
      @JsonProperty("comment") String comment,
      @JsonProperty("empty_layer") Boolean emptyLayer) {
    public boolean isEmptyLayer() {
      return Boolean.TRUE.equals(emptyLayer);
    }
  }
}
