package dev.dcont.store.content;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.dcont.store.model.Digest;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * SHA-256 of a stream of bytes. Uses the system's libcrypto when it can be loaded (its SHA
 * extensions are several times faster than the JDK's digest before the JIT warms up, which is
 * most of a pull); otherwise the JDK's {@link MessageDigest}. Both give the same digest; the
 * choice can be forced with {@code -Ddcont.sha256=jdk}.
 */
public abstract class Sha256 {
  public abstract void update(byte[] b, int off, int len);

  /** Finishes and returns the digest; the hasher is then spent. */
  public abstract Digest digest();

  public static Sha256 create() {
    return Native256.AVAILABLE ? new Native256() : new Jdk256();
  }

  public static boolean isNative() {
    return Native256.AVAILABLE;
  }

  static final class Jdk256 extends Sha256 {
    private final MessageDigest md = Digest.newSha256();

    @Override
    public void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    public Digest digest() {
      return Digest.ofSha256(md);
    }
  }

  /** libcrypto's one-shot-context API through JNA direct mapping (no per-call reflection). */
  static final class Native256 extends Sha256 {
    static final boolean AVAILABLE = load();
    private static final int CTX_SIZE = 512;
    private final Pointer ctx;
    private final java.nio.ByteBuffer scratch;
    private boolean done;

    private static boolean load() {
      if ("jdk".equals(System.getProperty("dcont.sha256"))) {
        return false;
      }
      try {
        NativeLibrary lib = NativeLibrary.getInstance("crypto");
        Native.register(Native256.class, lib);
        // self-test against the JDK on a known input
        Native256 h = new Native256();
        byte[] probe = "dcont".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        h.update(probe, 0, probe.length);
        return h.digest().equals(Digest.sha256(probe));
      } catch (Throwable e) {
        if (Boolean.getBoolean("dcont.debug")) {
          e.printStackTrace();
        }
        return false;
      }
    }

    private static native int SHA256_Init(Pointer c);

    private static native int SHA256_Update(Pointer c, java.nio.ByteBuffer data, long len);

    private static native int SHA256_Final(byte[] md, Pointer c);

    Native256() {
      scratch = java.nio.ByteBuffer.allocateDirect(1 << 16);
      ctx = new com.sun.jna.Memory(CTX_SIZE);
      SHA256_Init(ctx);
    }

    @Override
    public void update(byte[] b, int off, int len) {
      while (len > 0) {
        int n = Math.min(len, scratch.capacity());
        scratch.clear();
        scratch.put(b, off, n).flip();
        SHA256_Update(ctx, scratch, n);
        off += n;
        len -= n;
      }
    }

    @Override
    public Digest digest() {
      if (done) {
        throw new IllegalStateException("digest already taken");
      }
      done = true;
      byte[] out = new byte[32];
      SHA256_Final(out, ctx);
      return new Digest("sha256", HexFormat.of().formatHex(out));
    }
  }
}
