package dev.dcont.layers;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.dcont.store.model.Digest;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * SHA-256 of uncompressed layer streams. Uses OpenSSL's libcrypto when present: the JDK's SHA-256 is fast
 * only once C2 has compiled it with the SHA-NI intrinsic, and the dcont launcher runs C1 only for short
 * start-up, where the JDK digest is about eight times slower than the stream it checks.
 */
abstract class Sha256 {
  abstract void update(byte[] b, int off, int len);

  abstract Digest digest();

  static Sha256 create() {
    if (OpenSsl.AVAILABLE) {
      return new OpenSsl();
    }
    return new Jdk();
  }

  static final class Jdk extends Sha256 {
    private final MessageDigest md = Digest.newSha256();

    @Override
    void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    Digest digest() {
      return Digest.ofSha256(md);
    }
  }

  static final class OpenSsl extends Sha256 {
    static final boolean AVAILABLE;

    static {
      boolean ok;
      try {
        NativeLibrary lib = NativeLibrary.getInstance("crypto");
        Native.register(OpenSsl.class, lib);
        ok = EVP_sha256() != null;
      } catch (Throwable t) {
        ok = false;
      }
      AVAILABLE = ok && !"jdk".equals(System.getenv("DCONT_SHA256"));
    }

    private static native Pointer EVP_MD_CTX_new();

    private static native void EVP_MD_CTX_free(Pointer ctx);

    private static native Pointer EVP_sha256();

    private static native int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

    private static native int EVP_DigestUpdate(Pointer ctx, byte[] data, long count);

    private static native int EVP_DigestFinal_ex(Pointer ctx, byte[] md, Pointer size);

    private Pointer ctx;
    private byte[] scratch;

    OpenSsl() {
      ctx = EVP_MD_CTX_new();
      if (ctx == null || EVP_DigestInit_ex(ctx, EVP_sha256(), null) != 1) {
        throw new IllegalStateException("libcrypto: cannot start SHA-256");
      }
    }

    @Override
    void update(byte[] b, int off, int len) {
      if (len == 0) {
        return;
      }
      byte[] src = b;
      if (off != 0) {
        if (scratch == null || scratch.length < len) {
          scratch = new byte[Math.max(len, 65536)];
        }
        System.arraycopy(b, off, scratch, 0, len);
        src = scratch;
      }
      if (EVP_DigestUpdate(ctx, src, len) != 1) {
        throw new IllegalStateException("libcrypto: SHA-256 update failed");
      }
    }

    @Override
    Digest digest() {
      byte[] out = new byte[32];
      try {
        if (EVP_DigestFinal_ex(ctx, out, null) != 1) {
          throw new IllegalStateException("libcrypto: SHA-256 final failed");
        }
      } finally {
        EVP_MD_CTX_free(ctx);
        ctx = null;
      }
      return new Digest("sha256", HexFormat.of().formatHex(out));
    }
  }
}
