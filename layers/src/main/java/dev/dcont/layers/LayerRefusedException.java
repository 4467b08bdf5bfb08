package dev.dcont.layers;

/**
 * A layer whose content dcont refuses to unpack: a hostile tar header or entry (a negative size, a path out
 * of the root, an overlay xattr, ...) or a layer or image over an {@link UnpackLimits} limit. Unpacking the
 * same image again fails the same way (with the same limits), unlike a download that broke off or a full disk,
 * so a command that pulled the image for nothing else removes it again.
 */
public final class LayerRefusedException extends LayerException {
  public LayerRefusedException(String message) {
    super(message);
  }
}
