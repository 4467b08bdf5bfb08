package dev.dcont.registry.http;

import okhttp3.Request;

/**
 * Marks a request whose answer is read whole into memory (a manifest, an index, a token answer):
 * {@link RetryInterceptor} reads the body of a successful answer itself, up to {@code limit} bytes and one more,
 * so that a connection cut anywhere in the body is tried again as a cut before the headers is. Blobs are not read
 * so: they stream into the store and resume from what is on disk ({@code endpoint.BlobEndpoint}).
 *
 * @param limit the most the caller accepts; a body over it is left for the caller to refuse
 */
public record WholeBody(int limit) {
  /** {@code b} with this mark. */
  public static Request.Builder mark(Request.Builder b, int limit) {
    return b.tag(WholeBody.class, new WholeBody(limit));
  }
}
