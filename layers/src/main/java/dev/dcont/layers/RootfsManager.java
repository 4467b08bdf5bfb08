package dev.dcont.layers;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Container root file systems: active snapshots of the {@link Snapshotter} over an image's top layer (overlayfs
 * with a per-container upper and work directory under {@code containers/<id>/}), mounted and unmounted here, where
 * their state is kept ({@code prepared}, {@code mounted}, {@code unmounted}; {@code view} for a read-only view).
 */
public final class RootfsManager {
  public static final String PREPARED = "prepared";
  public static final String MOUNTED = "mounted";
  public static final String UNMOUNTED = "unmounted";
  public static final String VIEW = "view";
  private static final long MS_RDONLY = 1;
  private static final long MS_REMOUNT = 32;
  private static final long MS_BIND = 4096;

  /** A container's root: its key, the image it is for, the snapshot it stacks on, its state. */
  public record Rootfs(String containerId, String image, ChainId topChainId, String state, long created) { }

  private final Store store;
  private final StoreLayout layout;
  private final SnapshotStore snapshots;
  /** The native calls; null until the first mount or unmount when made with {@link #RootfsManager(Store)}. */
  private Syscalls sys;

  /**
   * A manager whose native calls are bound at its first mount or unmount: binding them (JNA's start-up) takes
   * tens of milliseconds, which a run spends on a side thread while this manager records the root.
   */
  public RootfsManager(Store store) {
    this(store, null);
  }

  public RootfsManager(Store store, Syscalls sys) {
    this.store = store;
    this.layout = store.layout();
    this.sys = sys;
    this.snapshots = SnapshotStore.of(store);
  }

  /** The snapshotter the roots are active snapshots of. */
  public Snapshotter snapshotter() {
    return snapshots;
  }

  /**
   * Prepares a root file system for {@code containerId} (64 hex digits) over {@code image}, unpacking layers that
   * are not yet unpacked: an active snapshot over the image's top layer, with {@code containers/<id>/{upper,work,
   * rootfs}}.
   */
  public MountSpec prepare(String containerId, ImageRecord image) {
    layout.container(containerId); // validates the id
    if (image.layers().isEmpty()) {
      throw new LayerException("image " + image.id().shortHex() + ": has no layers, nothing to mount");
    }
    ImageUnpacker.ensureUnpacked(store, image, ImageUnpacker.Listener.NONE);
    return snapshots.prepare(containerId, image.topChainId().toString(), image.manifestDigest());
  }

  /** The mount description of a prepared root file system. */
  public MountSpec spec(String containerId) {
    return snapshots.mounts(containerId);
  }

  private synchronized Syscalls sys() {
    if (sys == null) {
      sys = NativeSyscalls.get();
    }
    return sys;
  }

  /**
   * Mounts the overlay at {@code containers/<id>/rootfs}; returns the mount point. A view is mounted read-only: an
   * overlay of lower directories only, or, over one layer (overlayfs wants two lower directories without an upper
   * one), a read-only bind mount of it.
   */
  public Path mount(String containerId) {
    MountSpec spec = spec(containerId);
    try {
      if (spec.readOnly() && spec.lowerDirs().size() == 1) {
        sys().mount(spec.lowerDirs().get(0).toString(), spec.target(), null, MS_BIND, null, null);
        sys().mount("none", spec.target(), null, MS_BIND | MS_REMOUNT | MS_RDONLY, null, null);
      } else {
        sys().mount("overlay", spec.target(), "overlay", spec.readOnly() ? MS_RDONLY : 0, spec.options(),
            spec.workingDir());
      }
    } catch (IOException e) {
      throw new LayerException("container " + abbrev(containerId) + ": " + e.getMessage()
          + (sys().privileged() ? "" : " (mounting overlayfs needs root)"), e);
    }
    snapshots.roots().setState(containerId, MOUNTED);
    return spec.target();
  }

  /** Unmounts the container root; a root that is not mounted is left as it is. */
  public void unmount(String containerId) {
    unmountTarget(containerId);
    snapshots.roots().setState(containerId, UNMOUNTED);
  }

  private void unmountTarget(String containerId) {
    Path target = layout.container(containerId).resolve("rootfs");
    if (Mounts.isMountPoint(target)) {
      try {
        sys().unmount(target, false);
      } catch (IOException e) {
        try {
          sys().unmount(target, true);
        } catch (IOException e2) {
          throw new LayerException("container " + abbrev(containerId) + ": " + e.getMessage()
              + " (stop the processes using it and try again)", e);
        }
      }
    }
  }

  /** Unmounts if needed, then removes the active snapshot: its row and {@code containers/<id>/}. */
  public void remove(String containerId) {
    if (find(containerId).isPresent()) {
      unmountTarget(containerId); // the row goes next: no state to record
    }
    snapshots.remove(containerId);
  }

  /** Whether the container's root is mounted at its target in this mount namespace. */
  public boolean isMounted(String containerId) {
    return Mounts.isMountPoint(layout.container(containerId).resolve("rootfs"));
  }

  public Optional<Rootfs> find(String containerId) {
    return snapshots.roots().find(containerId);
  }

  public List<Rootfs> list() {
    return snapshots.roots().list();
  }

  static String abbrev(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }
}
