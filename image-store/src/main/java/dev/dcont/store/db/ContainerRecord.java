package dev.dcont.store.db;

import dev.dcont.store.model.Digest;
import java.util.List;

/**
 * A container as the store knows it: its identity, the image it was made from and what it runs.
 * The live state (pid, running or not, exit code) comes from the runtime's state directory.
 */
public record ContainerRecord(
    String id,
    String name,
    Digest imageManifest,
    String imageName,
    List<String> command,
    long createdAt,
    boolean autoRemove,
    String runSpec) {

  public String shortId() {
    return id.substring(0, 12);
  }
}
