package dev.dcont.registry.auth;

import java.util.Optional;

/** Credentials for a registry host ({@code host[:port]}); empty means anonymous. */
@FunctionalInterface
public interface CredentialSource {
  CredentialSource ANONYMOUS = host -> Optional.empty();

  Optional<Credentials> lookup(String host);
}
