package dev.dcont.store.model;

import java.util.ArrayList;
import java.util.List;

/** Chain ID of a layer stack: {@code chainID(1) = diffID(1)}, {@code chainID(n) = sha256(chainID(n-1) + " " + diffID(n))}. */
public record ChainId(Digest digest) {
  public static List<ChainId> of(List<Digest> diffIds) {
    List<ChainId> out = new ArrayList<>(diffIds.size());
    Digest prev = null;
    for (Digest d : diffIds) {
      prev = prev == null ? d : Digest.sha256(prev + " " + d);
      out.add(new ChainId(prev));
    }
    return out;
  }

  public static ChainId parse(String s) {
    return new ChainId(Digest.parse(s));
  }

  // equals and hashCode written out, here and in Digest: a record's generated ones are bound through
  // invokedynamic at their first call, and a run looks its layers up by chain ID at every start
  @Override
  public boolean equals(Object o) {
    return o instanceof ChainId c && digest.equals(c.digest);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return digest.toString();
  }
}
