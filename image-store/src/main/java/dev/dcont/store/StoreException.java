package dev.dcont.store;

/** A failure of the local store: corrupt content, disk full, database trouble. Messages are user-facing. */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Wraps an I/O failure, naming disk-full plainly. */
  public static StoreException io(String what, java.io.IOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("No space left on device")) {
      return new StoreException(what + ": disk full (free space on the store's file system, or run 'dcont system prune')", e);
    }
    return new StoreException(what + ": " + e, e);
  }
}
