/*
 * dcont-init: the native exec stage of the dcont runtime. Shared declarations of its parts:
 *   plan.c      reading the plan Java wrote (dev.dcont.runtime.launch.PlanWriter)
 *   selfexec.c  running from a sealed memfd copy (CVE-2019-5736)
 *   rootfs.c    mounts, directories, files, devices and links inside the container root, resolved in it
 *   caps.c      capability sets
 *   terminal.c  the pty and the caller's terminal
 *   child.c     the container process from clone to execve
 *   monitor.c   the process outside the container: clone, cgroups, relay, exit status
 *   init.c      the docker-init mode (--init)
 *   stdio.c     the container's stdio pipes without a terminal, and their relay
 *   main.c      entry point
 *   keyring.c   the container's own session keyring
 *   devices_bpf.c  the cgroup v2 device filter (a BPF program)
 *   seccomp.c   the seccomp filter (libseccomp)
 *   oci.c       runc's create/start split (the exec fifo) and the runtime-spec hooks
 *   fds.c       the caller's descriptors passed to the container (--preserve-fds)
 *   moveroot.c  the root made by MS_MOVE and chroot instead of pivot_root (--no-pivot)
 *   attach.c    the attach socket of a detached container
 */
#ifndef DCONT_STAGE_H
#define DCONT_STAGE_H
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 2U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define EXIT_SETUP 125

struct op {
    const char *name;
    int argc;
    char **argv;
};

/* plan.c */
extern struct op *ops;
extern int nops;
void await_plan(pid_t launcher, const char *path);
void load_plan(const char *path);
int is(const struct op *o, const char *name);
unsigned long long num(const char *s);
struct op *find_op(const char *name);

/* selfexec.c */
void ensure_cloned_binary(char **argv);

/* rootfs.c: paths inside the container root, resolved in it when used (openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS, or a walk with O_NOFOLLOW) and used through descriptors. The *_in_root paths are
 * relative to the root that open_root opened; change_dir, mask_path and readonly_path take absolute paths of the
 * process's root (the container's after pivot_root). A path that leads out of the root fails the setup. */
void open_root(const char *path);
void close_root(void);
void mount_in_root(const char *src, const char *path, const char *fstype, unsigned long flags, const char *data);
void mkdir_in_root(const char *path, mode_t mode);
void touch_in_root(const char *path, mode_t mode);
void mknod_in_root(const char *path, char type, unsigned major, unsigned minor, mode_t mode, uid_t uid, gid_t gid);
void symlink_in_root(const char *target, const char *path);
void change_dir(const char *path);
void mask_path(const char *path);
void readonly_path(const char *path);

/* caps.c */
void cap_bounding(uint64_t bnd);
void cap_set(uint64_t eff, uint64_t prm, uint64_t inh);
void cap_ambient(uint64_t amb);

/* terminal.c */
void send_fd(int sock, int fd);
int send_fd_named(int sock, int fd, const char *name);
ssize_t recv_byte_fd(int sock, char *byte, int *fd);
int recv_fd(int sock);
void setup_pty(void);
void restore_terminal(void);
void copy_winsize(int master);
extern struct termios saved_tio;
extern int tio_saved;
extern pid_t saved_fg_pgrp;

/* child.c */
extern int error_fd;
extern int sync_fd;
void die_child(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void close_extra_fds(void);
void run_child_ops(void) __attribute__((noreturn));

/* monitor.c */
extern char *state_dir;
void write_state_file(const char *name, const char *content);
void monitor_fail(const char *msg) __attribute__((noreturn));
int write_all(int fd, const char *buf, ssize_t n);
int run_monitor(void);

/* stdio.c */
void stdio_make_pipes(int relay);
void stdio_child(void);
int stdio_monitor(int relay, int input, int *log_out, int *log_err, int *attach_in);
int stdio_poll_set(struct pollfd *pfd, int exited, long long *rest_ns);
void stdio_relay(const struct pollfd *pfd);

/* attach.c */
void attach_listen(void);
int attach_poll_set(struct pollfd *pfd);
void attach_handle(const struct pollfd *pfd, int input_fd, int terminal_fd);
void attach_send(const char *rec, size_t n);
void attach_close(void);
int stdio_open(void);
int stdio_pending(void);

/* init.c */
int init_main(int argc, char **argv);

/* keyring.c */
void join_session_keyring(const char *name);

/* devices_bpf.c */
int device_filter_attach(const struct op *o, char *err, size_t errlen);
int device_filter_dump(int argc, char **argv);

/* seccomp.c */
void prepare_seccomp(void);
void start_seccomp(const struct op *o);
void load_seccomp_at_exec(void);

/* oci.c */
int oci_create_mode(void);
void oci_monitor_prepare(void);
void oci_child_prepare(void);
void oci_child_hooks_sync(void);
void oci_child_run_hook(const struct op *o);
void oci_before_exec(void);
int oci_monitor_created(pid_t pid, int errfd, int sock);
int oci_send_console(int master, char *err, size_t errlen);

/* fds.c */
void preserve_fds_take(void);
void preserve_fds_release(void);
int preserved_fds(void);
void preserve_fds_place(void);

/* moveroot.c */
void move_root(const char *rootfs);

#endif
