package dev.dcont.store.content;

import dev.dcont.store.StoreException;

/** Content did not hash to, or was not the size of, what its descriptor declared. */
public class DigestMismatchException extends StoreException {
  public DigestMismatchException(String message) {
    super(message);
  }
}
