package dev.dcont.registry;

import dev.dcont.store.model.Digest;

/**
 * Progress of a pull, in Docker's terms, for the CLI to draw. Calls are serialised by the puller
 * (one at a time, possibly from different threads).
 */
public interface PullListener {
  PullListener NONE = new PullListener() { };

  /** What happens to one layer, in Docker's words. */
  enum Status {
    ALREADY_EXISTS("Already exists"),
    PULLING_FS_LAYER("Pulling fs layer"),
    WAITING("Waiting"),
    DOWNLOADING("Downloading"),
    VERIFYING_CHECKSUM("Verifying Checksum"),
    DOWNLOAD_COMPLETE("Download complete"),
    PULL_COMPLETE("Pull complete");

    private final String text;

    Status(String text) {
      this.text = text;
    }

    /** Docker's wording. */
    public String text() {
      return text;
    }
  }

  /** One layer's event; {@code current}/{@code total} are bytes (meaningful for DOWNLOADING). */
  record LayerEvent(Digest digest, Status status, long current, long total) {
    /** Docker shows the first 12 hex digits. */
    public String shortId() {
      return digest.shortHex();
    }
  }

  default void onLayer(LayerEvent event) { }

  /**
   * Status lines as Docker prints them: {@code latest: Pulling from library/ubuntu},
   * {@code Digest: sha256:…}, {@code Status: Downloaded newer image for ubuntu:latest},
   * {@code Status: Image is up to date for ubuntu:latest}.
   */
  default void onStatus(String line) { }
}
