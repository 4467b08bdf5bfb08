/* The container process: the plan's steps in order from clone to execve. */
#include "stage.h"

int error_fd = -1;       /* child -> monitor: setup error text (CLOEXEC) */
int sync_fd = -1;        /* child <-> monitor socket */
static char *exec_env_path;     /* PATH used to look up a bare command */

void die_child(const char *fmt, ...) {
    char buf[4096];
    va_list ap;
    int e = errno;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n >= (int)sizeof buf) n = sizeof buf - 1;
    /* errno 0: the message says it all (a refusal, not a failed call) */
    if (e) n += snprintf(buf + n, sizeof buf - n, ": %s", strerror(e));
    if (n >= (int)sizeof buf) n = sizeof buf - 1;
    if (error_fd >= 0) {
        if (write(error_fd, buf, n) < 0) { /* nothing left to do */ }
    } else {
        fprintf(stderr, "dcont-init: %s\n", buf);
    }
    _exit(EXIT_SETUP);
}

static void loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) die_child("socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die_child("SIOCGIFFLAGS lo");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die_child("SIOCSIFFLAGS lo");
    close(s);
}

void close_extra_fds(void) {
    /* keep 0-2, the descriptors of --preserve-fds after them and the (close-on-exec) error pipe */
    int first = 3 + preserved_fds();
    if (syscall(SYS_close_range, first, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) == 0) return;
    for (int fd = first; fd < 65536; fd++) {
        if (fd == error_fd) continue;
        close(fd);
    }
}

/* exec failures start with "exec-errno N: " so that the caller can tell "not found" (Docker's 127) from
 * "cannot execute" (126) without reading the words; ContainerException.startFailed strips the prefix */
static void die_exec(const char *fmt, const char *a, const char *b) {
    int e = errno;
    char msg[2 * PATH_MAX + 64];
    int n = snprintf(msg, sizeof msg, "exec-errno %d: ", e);
    snprintf(msg + n, sizeof msg - n, fmt, a, b);
    errno = e;
    die_child("%s", msg);
}

static void do_exec(struct op *o) {
    /* argv: path-or-name nargs args... env... */
    const char *file = o->argv[0];
    int nargs = atoi(o->argv[1]);
    char **args = calloc(nargs + 1, sizeof(char *));
    for (int i = 0; i < nargs; i++) args[i] = o->argv[2 + i];
    int nenv = o->argc - 2 - nargs;
    char **env = calloc(nenv + 1, sizeof(char *));
    for (int i = 0; i < nenv; i++) env[i] = o->argv[2 + nargs + i];

    /* verify the cwd is inside the container root (CVE-2024-21626) */
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd) || cwd[0] != '/') { errno = EPERM; die_child("cwd is outside the container"); }

    sigset_t all;
    sigemptyset(&all);
    for (int s = 1; s < NSIG; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &all, NULL);
    preserve_fds_place();
    close_extra_fds();
    load_seccomp_at_exec();

    if (strchr(file, '/')) {
        execve(file, args, env);
        die_exec("exec %s%s", file, "");
    }
    const char *path = exec_env_path ? exec_env_path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int saved = ENOENT;
    char buf[PATH_MAX];
    const char *p = path;
    while (1) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? p : ".", file);
        execve(buf, args, env);
        if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        if (!e) break;
        p = e + 1;
    }
    errno = saved;
    die_exec("exec %s: not found in PATH %s", file, path);
}

/* runc's create reports a missing executable itself, before it returns: the same search as do_exec's, with
 * access(X_OK) instead of execve (on the way to execve, only in a created container's process) */
static void check_executable(const struct op *o) {
    const char *file = o->argv[0];
    if (strchr(file, '/')) {
        if (access(file, X_OK) < 0) die_exec("exec %s%s", file, "");
        return;
    }
    const char *path = exec_env_path ? exec_env_path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int saved = ENOENT;
    char buf[PATH_MAX];
    for (const char *p = path;;) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? p : ".", file);
        struct stat st;
        if (access(buf, X_OK) == 0 && stat(buf, &st) == 0 && S_ISREG(st.st_mode)) return;
        if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        if (!e) break;
        p = e + 1;
    }
    errno = saved;
    die_exec("exec %s: not found in PATH %s", file, path);
}

void run_child_ops(void) {
    /* the modes the plan gives are the modes made, whatever umask the caller had (the plan's UMASK step sets the
     * container's own before execve) */
    umask(0);
    for (int i = 0; i < nops; i++) {
        struct op *o = &ops[i];
        char **a = o->argv;
        if (is(o, "MOUNT")) {
            /* source target fstype flags data: a host path, or after pivot_root one of the container */
            const char *src = a[0][0] ? a[0] : NULL;
            const char *fs = a[2][0] ? a[2] : NULL;
            const char *data = a[4][0] ? a[4] : NULL;
            if (mount(src, a[1], fs, num(a[3]), data) < 0)
                die_child("mount %s on %s (type %s, flags 0x%llx, data %s)", a[0], a[1], a[2], num(a[3]), a[4]);
        } else if (is(o, "MKDIR")) {
            mkdir_in_root(a[0], num(a[1]));
        } else if (is(o, "TOUCH")) {
            touch_in_root(a[0], num(a[1]));
        } else if (is(o, "MKNOD")) {
            /* path type(c|b) major minor mode uid gid */
            mknod_in_root(a[0], a[1][0], num(a[2]), num(a[3]), num(a[4]), num(a[5]), num(a[6]));
        } else if (is(o, "SYMLINK")) {
            symlink_in_root(a[0], a[1]);
        } else if (is(o, "CHDIR")) {
            change_dir(a[0]);
        } else if (is(o, "PIVOT_ROOT")) {
            close_root();
            if (syscall(SYS_pivot_root, a[0], a[1]) < 0) die_child("pivot_root");
        } else if (is(o, "UMOUNT")) {
            if (umount2(a[0], num(a[1])) < 0) die_child("umount %s", a[0]);
        } else if (is(o, "MASK")) {
            mask_path(a[0]);
        } else if (is(o, "READONLY")) {
            readonly_path(a[0]);
        } else if (is(o, "SETHOSTNAME")) {
            if (sethostname(a[0], strlen(a[0])) < 0) die_child("sethostname %s", a[0]);
        } else if (is(o, "SETDOMAINNAME")) {
            if (setdomainname(a[0], strlen(a[0])) < 0) die_child("setdomainname %s", a[0]);
        } else if (is(o, "LOOPBACK_UP")) {
            loopback_up();
        } else if (is(o, "UNSHARE")) {
            if (unshare(num(a[0])) < 0) die_child("unshare 0x%llx", num(a[0]));
        } else if (is(o, "SETNS")) {
            int fd = open(a[0], O_RDONLY | O_CLOEXEC);
            if (fd < 0) die_child("open %s", a[0]);
            if (setns(fd, num(a[1])) < 0) die_child("setns %s", a[0]);
            close(fd);
        } else if (is(o, "SETRLIMIT")) {
            struct rlimit rl = {num(a[1]), num(a[2])}, cur;
            if (setrlimit(num(a[0]), &rl) < 0) {
                /* without CAP_SYS_RESOURCE (e.g. dcont itself in a container) a hard limit cannot be raised:
                   clamp to what we have rather than refuse to start */
                if (errno != EPERM || getrlimit(num(a[0]), &cur) < 0) die_child("setrlimit %s", a[0]);
                if (rl.rlim_max > cur.rlim_max) rl.rlim_max = cur.rlim_max;
                if (rl.rlim_cur > rl.rlim_max) rl.rlim_cur = rl.rlim_max;
                if (setrlimit(num(a[0]), &rl) < 0) die_child("setrlimit %s", a[0]);
            }
        } else if (is(o, "KEEPCAPS")) {
            if (prctl(PR_SET_KEEPCAPS, num(a[0]), 0, 0, 0) < 0) die_child("keepcaps");
        } else if (is(o, "SETGROUPS")) {
            gid_t *g = calloc(o->argc + 1, sizeof(gid_t));
            for (int k = 0; k < o->argc; k++) g[k] = num(a[k]);
            if (setgroups(o->argc, g) < 0) die_child("setgroups");
        } else if (is(o, "SETGID")) {
            if (setresgid(num(a[0]), num(a[0]), num(a[0])) < 0) die_child("setresgid %s", a[0]);
        } else if (is(o, "SETUID")) {
            if (setresuid(num(a[0]), num(a[0]), num(a[0])) < 0) die_child("setresuid %s", a[0]);
        } else if (is(o, "CAPBSET")) {
            cap_bounding(num(a[0]));
        } else if (is(o, "CAPS")) {
            cap_set(num(a[0]), num(a[1]), num(a[2]));
        } else if (is(o, "AMBIENT")) {
            cap_ambient(num(a[0]));
        } else if (is(o, "NO_NEW_PRIVS")) {
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die_child("no_new_privs");
        } else if (is(o, "UMASK")) {
            umask(num(a[0]));
        } else if (is(o, "PTY")) {
            setup_pty();
        } else if (is(o, "PATH")) {
            exec_env_path = a[0];
        } else if (is(o, "WRITE")) {
            int fd = open(a[0], O_WRONLY | O_CLOEXEC);
            if (fd < 0 || write(fd, a[1], strlen(a[1])) < 0) die_child("write %s", a[0]);
            close(fd);
        } else if (is(o, "OPEN_ROOT")) {
            open_root(a[0]);
        } else if (is(o, "MOUNT_IN_ROOT")) {
            /* source target(relative to the root) fstype flags data */
            mount_in_root(a[0], a[1], a[2], num(a[3]), a[4]);
        } else if (is(o, "SECCOMP")) {
            start_seccomp(o);
        } else if (is(o, "EXEC")) {
            if (oci_create_mode()) check_executable(o);
            oci_before_exec();
            do_exec(o);
        } else if (is(o, "SESSION_KEYRING")) {
            join_session_keyring(a[0]);
        } else if (is(o, "HOOKS_SYNC")) {
            oci_child_hooks_sync();
        } else if (is(o, "CONTAINER_HOOK")) {
            oci_child_run_hook(o);
        } else if (is(o, "MOVE_ROOT")) {
            close_root();
            move_root(a[0]);
        }
        /* other ops belong to the monitor */
    }
    errno = EINVAL;
    die_child("plan has no EXEC");
}
