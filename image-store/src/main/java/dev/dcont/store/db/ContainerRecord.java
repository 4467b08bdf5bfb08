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
    String state,
    Integer exitCode,
    long startedAt,
    long finishedAt) {

  /** Recorded states: created (not started yet), running (started; the runtime knows if it still is), exited. */
  public static final String CREATED = "created";
  public static final String RUNNING = "running";
  public static final String EXITED = "exited";

  public ContainerRecord(String id, String name, Digest imageManifest, String imageName, List<String> command,
      long createdAt, boolean autoRemove) {
    this(id, name, imageManifest, imageName, command, createdAt, autoRemove, CREATED, null, 0, 0);
  }

  /** The same row with {@code --rm} set as given. */
  public ContainerRecord withAutoRemove(boolean on) {
    return new ContainerRecord(id, name, imageManifest, imageName, command, createdAt, on, state, exitCode, startedAt,
        finishedAt);
  }

  public String shortId() {
    return id.substring(0, 12);
  }
}
