package dev.dcont.layers.archive;

/** An archive that cannot be loaded as it is: its message is the one line a user sees. */
public final class ArchiveException extends RuntimeException {
  public ArchiveException(String message) {
    super(message);
  }

  public ArchiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
