package dev.dcont.store.model;

import java.util.List;
import java.util.Map;

/**
 * The image configuration blob (OCI image config / Docker image JSON), the parts dcont uses. Docker spells the
 * container defaults capitalised and the OCI spec two-word members in snake case; {@link Json} knows those names.
 */
public record ImageConfig(
    String created,
    String author,
    String architecture,
    String os,
    String variant,
    Config config,
    RootFs rootfs,
    List<History> history) {

  public ImageConfig {
    history = history == null ? List.of() : Json.copyOf(history, "history");
  }

  public static ImageConfig parse(byte[] json, String what) {
    ImageConfig c = Json.read(json, ImageConfig.class, what);
    if (c.rootfs() == null) {
      throw new IllegalArgumentException(what + ": image config has no rootfs");
    }
    return c;
  }

  public List<Digest> diffIds() {
    return rootfs == null ? List.of() : rootfs.diffIds();
  }

  public Platform platform() {
    return Platform.normalise(os == null ? "linux" : os, architecture == null ? "unknown" : architecture, variant);
  }

  /** The container defaults of an image (Docker's {@code config} object). */
  public record Config(
      String user,
      Map<String, Object> exposedPorts,
      List<String> env,
      List<String> entrypoint,
      List<String> cmd,
      Map<String, Object> volumes,
      String workingDir,
      Map<String, String> labels,
      String stopSignal) { }

  /** The layer list by uncompressed digest. */
  public record RootFs(
      String type,
      List<Digest> diffIds) {
    public RootFs {
      diffIds = diffIds == null ? List.of() : Json.copyOf(diffIds, "diff_ids");
    }
  }

  /** One history entry; {@code empty_layer} entries have no layer. */
  public record History(
      String created,
      String createdBy,
      String author,
      String comment,
      Boolean emptyLayer) {
    public boolean isEmptyLayer() {
      return Boolean.TRUE.equals(emptyLayer);
    }
  }
}
