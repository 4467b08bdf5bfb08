package dev.dcont.cli.run;

import java.util.List;

/**
 * What {@code dcont run} was asked for, beyond the image and the process (see {@link ProcessConfig.Flags});
 * {@code cgroupParent} as {@link CgroupParent#parse} returned it.
 */
public record RunFlags(
    boolean interactive,
    boolean tty,
    boolean detach,
    boolean autoRemove,
    String name,
    String hostname,
    List<String> volumes,
    List<String> tmpfs,
    boolean readOnly,
    Long memory,
    Long memorySwap,
    Double cpus,
    Long pidsLimit,
    String network,
    List<String> capAdd,
    List<String> capDrop,
    boolean init,
    boolean privileged,
    SecurityOpts security,
    String cgroupParent) {

  public boolean hostNetwork() {
    return "host".equals(network);
  }
}
