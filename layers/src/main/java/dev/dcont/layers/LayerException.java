package dev.dcont.layers;

/** A failure to unpack, mount or inspect a layer. Messages are one user-facing line. */
public class LayerException extends RuntimeException {
  public LayerException(String message) {
    super(message);
  }

  public LayerException(String message, Throwable cause) {
    super(message, cause);
  }
}
