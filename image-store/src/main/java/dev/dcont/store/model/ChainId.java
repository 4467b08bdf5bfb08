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

  @Override
  public String toString() {
    return digest.toString();
  }
}
