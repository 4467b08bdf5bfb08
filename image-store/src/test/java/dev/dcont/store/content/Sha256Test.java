package dev.dcont.store.content;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.store.model.Digest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Sha256Test {
  @Test
  void nativeAndJdkHashersAgreeOnEverySplitOfTheInput() {
    Random r = new Random(7);
    for (int size : new int[] {0, 1, 55, 64, 65535, 65536, 65537, 300_000}) {
      byte[] data = new byte[size];
      r.nextBytes(data);
      Sha256 h = Sha256.create();
      Sha256 jdk = new Sha256.Jdk256();
      int off = 0;
      while (off < size) {
        int n = Math.min(size - off, 1 + r.nextInt(100_000));
        h.update(data, off, n);
        jdk.update(data, off, n);
        off += n;
      }
      Digest expected = Digest.sha256(data);
      assertEquals(expected, h.digest(), "size " + size + (Sha256.isNative() ? " (libcrypto)" : " (jdk)"));
      assertEquals(expected, jdk.digest());
    }
  }

  @Test
  void libcryptoIsUsedOnThisMachine() {
    // Debian always ships libcrypto (libssl3); a silent fallback here would hide a slow pull
    assertEquals(true, Sha256.isNative());
  }
}
