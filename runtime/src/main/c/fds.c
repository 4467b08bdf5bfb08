/*
 * runc's --preserve-fds N: the caller's descriptors 3 .. 3+N-1 are the container process's 3 .. 3+N-1 (as
 * systemd's LISTEN_FDS hands sockets on), every other descriptor but 0-2 is closed at execve as before.
 *
 * The caller's descriptors are in the launcher, the JVM, whose ProcessBuilder starts this stage with 0-2 only. So
 * the monitor takes copies of them from its launcher with pidfd_getfd(2): the same open files (a socket stays the
 * socket, a file keeps its offset), not new opens of their paths. They stay close-on-exec at whatever numbers
 * they got until the last moment before execve, so that nothing the stage runs on the way (hooks) inherits them,
 * and the monitor, which outlives the container's start, closes its copies once the child is cloned.
 *
 * Step: PRESERVE_FDS LAUNCHER-PID N (the launcher must be this stage's parent).
 */
#include "stage.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int *held;       /* the copies, by position: held[k] becomes descriptor 3 + k */
static int nheld;

void preserve_fds_take(void) {
    struct op *o = find_op("PRESERVE_FDS");
    if (!o) return;
    pid_t launcher = (pid_t)num(o->argv[0]);
    int n = (int)num(o->argv[1]);
    char msg[256];
    if (n <= 0) return;
    if (getppid() != launcher) {
        snprintf(msg, sizeof msg, "--preserve-fds: the launcher %d is not this stage's parent", (int)launcher);
        monitor_fail(msg);
    }
    int pidfd = syscall(SYS_pidfd_open, launcher, 0);
    if (pidfd < 0) {
        snprintf(msg, sizeof msg, "--preserve-fds: pidfd_open %d: %s", (int)launcher, strerror(errno));
        monitor_fail(msg);
    }
    held = calloc((size_t)n, sizeof *held);
    if (!held) monitor_fail("--preserve-fds: out of memory");
    for (int k = 0; k < n; k++) {
        /* the copy is close-on-exec (pidfd_getfd sets it) */
        held[k] = syscall(SYS_pidfd_getfd, pidfd, 3 + k, 0);
        if (held[k] < 0) {
            snprintf(msg, sizeof msg, "--preserve-fds %d: descriptor %d of the caller: %s", n, 3 + k,
                     strerror(errno));
            monitor_fail(msg);
        }
        nheld = k + 1;
    }
    close(pidfd);
}

/* The monitor's copies go once the child has its own; the monitor's later descriptors are its own again. */
void preserve_fds_release(void) {
    for (int k = 0; k < nheld; k++) close(held[k]);
    nheld = 0;
}

int preserved_fds(void) { return nheld; }

/* Moves fd to a number >= floor, close-on-exec; the old number is closed. */
static int lift(int fd, int floor) {
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (moved < 0) die_child("--preserve-fds: move descriptor %d", fd);
    close(fd);
    return moved;
}

void preserve_fds_place(void) {
    if (nheld == 0) return;
    int top = 3 + nheld;
    /* the error pipe must survive until execve, and no copy may be overwritten by the placing of another */
    if (error_fd >= 0 && error_fd < top) error_fd = lift(error_fd, top);
    for (int k = 0; k < nheld; k++) {
        if (held[k] < top) held[k] = lift(held[k], top);
    }
    for (int k = 0; k < nheld; k++) {
        /* dup2's descriptor is not close-on-exec: it stays for the container's process */
        if (dup2(held[k], 3 + k) < 0) die_child("--preserve-fds: place descriptor %d", 3 + k);
        close(held[k]);
    }
}
