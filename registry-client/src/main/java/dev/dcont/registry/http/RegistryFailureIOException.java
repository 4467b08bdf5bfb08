package dev.dcont.registry.http;

import dev.dcont.registry.RegistryException;
import java.io.IOException;

/** Carries a {@link RegistryException} out of an OkHttp interceptor, which may only throw IOException. */
public final class RegistryFailureIOException extends IOException {
  private final RegistryException failure;

  public RegistryFailureIOException(RegistryException failure) {
    super(failure.getMessage(), failure);
    this.failure = failure;
  }

  public RegistryException failure() {
    return failure;
  }
}
