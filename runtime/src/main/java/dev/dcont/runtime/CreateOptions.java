package dev.dcont.runtime;

/**
 * runc's options of create and run that change how a container is made: {@code preserveFds}, how many of the
 * caller's descriptors after its stdio (3, 4, ...) the container's process gets as its own 3, 4, ...;
 * {@code noPivot}, the root entered with MS_MOVE and chroot instead of pivot_root (for a host whose root is a
 * ramfs); {@code noNewKeyring}, the caller's session keyring kept instead of the container's own, for its init
 * and every exec.
 */
public record CreateOptions(int preserveFds, boolean noPivot, boolean noNewKeyring) {
    /** runc's defaults: no descriptors, pivot_root, a keyring of the container's own. */
    public static final CreateOptions NONE = new CreateOptions(0, false, false);

    public CreateOptions {
        if (preserveFds < 0) {
            throw new IllegalArgumentException("--preserve-fds must be 0 or more, not " + preserveFds);
        }
    }
}
