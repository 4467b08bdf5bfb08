package dev.dcont.testkit;

import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An image built in code: layers, config and manifest bytes, ready to push or to store. */
public record TestImage(List<Layer> layers, byte[] config, byte[] manifest, MediaType manifestMediaType,
    Platform platform) {

  public Digest manifestDigest() {
    return Digest.sha256(manifest);
  }

  public Digest configDigest() {
    return Digest.sha256(config);
  }

  public Descriptor descriptor() {
    return new Descriptor(manifestMediaType, manifestDigest(), manifest.length, null, null, platform, null);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an image. Defaults: OCI manifest, linux/amd64, no layers. */
  public static final class Builder {
    private final List<Layer> layers = new ArrayList<>();
    private final List<String> createdBy = new ArrayList<>();
    private final Map<String, Object> config = new LinkedHashMap<>();
    private boolean oci = true;
    private Platform platform = Platform.parse("linux/amd64");
    private String created = "2026-01-02T03:04:05Z";

    public Builder docker() {
      oci = false;
      return this;
    }

    public Builder oci() {
      oci = true;
      return this;
    }

    public boolean isOci() {
      return oci;
    }

    public Builder platform(String p) {
      platform = Platform.parse(p);
      return this;
    }

    public Builder created(String iso) {
      created = iso;
      return this;
    }

    public Builder layer(byte[] tar, Layer.Compression c) {
      return layer(tar, c, "ADD layer " + (layers.size() + 1));
    }

    public Builder layer(byte[] tar, Layer.Compression c, String history) {
      layers.add(Layer.of(tar, c, oci || c == Layer.Compression.ZSTD));
      createdBy.add(history);
      return this;
    }

    /** Sets a field of the image's container config ({@code Cmd}, {@code Env}, {@code Entrypoint}, …). */
    public Builder config(String key, Object value) {
      config.put(key, value);
      return this;
    }

    public TestImage build() {
      Map<String, Object> cfg = new LinkedHashMap<>();
      cfg.put("created", created);
      cfg.put("architecture", platform.architecture());
      cfg.put("os", platform.os());
      if (platform.variant() != null) {
        cfg.put("variant", platform.variant());
      }
      cfg.put("config", config);
      cfg.put("rootfs", Map.of("type", "layers", "diff_ids", layers.stream().map(l -> l.diffId().toString()).toList()));
      List<Map<String, Object>> history = new ArrayList<>();
      for (String h : createdBy) {
        history.add(Map.of("created", created, "created_by", h));
      }
      history.add(Map.of("created", created, "created_by", "CMD [\"sh\"]", "empty_layer", true));
      cfg.put("history", history);
      byte[] configBytes = Json.write(cfg);
      MediaType configType = oci ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG;
      MediaType manifestType = oci ? MediaType.OCI_MANIFEST : MediaType.DOCKER_MANIFEST;
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", manifestType.toString());
      manifest.put("config", new Descriptor(configType, Digest.sha256(configBytes), configBytes.length));
      manifest.put("layers", layers.stream().map(Layer::descriptor).toList());
      return new TestImage(List.copyOf(layers), configBytes, Json.write(manifest), manifestType, platform);
    }
  }
}
