/*
 * dcont-init: the native exec stage of the dcont runtime.
 *
 * It holds no policy. Java (dev.dcont.runtime.launch.LaunchPlanner) computes a
 * plan - a flat list of operations - and this program carries it out:
 *
 *   monitor (this process, outside the container)
 *     - re-executes itself from a sealed memfd (CVE-2019-5736)
 *     - optionally detaches (double fork, setsid), then keeps the container's output in a log file
 *       (see write_record)
 *     - clone()s the container process with the requested namespaces
 *       (or, for exec, setns()es into an existing pid namespace and forks)
 *     - writes the child pid into the cgroup.procs files of the plan
 *     - forwards signals, relays a pty, waits, records the exit status,
 *       removes the cgroup directories of the plan
 *   child (inside the new namespaces)
 *     - runs the child operations in order (mount, pivot_root, sethostname,
 *       setrlimit, setgroups/setresgid/setresuid, capabilities, ...)
 *     - closes every descriptor but 0-2 and execve()s the process
 *
 * Plan format: a sequence of NUL-terminated strings. Each operation is
 * NAME, ARGC (decimal), then ARGC arguments. Numbers are decimal unless noted.
 * Usage: dcont-init [--await LAUNCHER-PID] <plan-file>  (--await: wait for the plan file, see await_plan)
 */
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

static struct op *ops;
static int nops;
static int error_fd = -1;       /* child -> monitor: setup error text (CLOEXEC) */
static int sync_fd = -1;        /* child <-> monitor socket */
static char *state_dir;
static char *exec_env_path;     /* PATH used to look up a bare command */

static void die_child(const char *fmt, ...) {
    char buf[4096];
    va_list ap;
    int e = errno;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n >= (int)sizeof buf) n = sizeof buf - 1;
    n += snprintf(buf + n, sizeof buf - n, ": %s", strerror(e));
    if (n >= (int)sizeof buf) n = sizeof buf - 1;
    if (error_fd >= 0) {
        if (write(error_fd, buf, n) < 0) { /* nothing left to do */ }
    } else {
        fprintf(stderr, "dcont-init: %s\n", buf);
    }
    _exit(EXIT_SETUP);
}

static void write_state_file(const char *name, const char *content) {
    if (!state_dir) return;
    char tmp[PATH_MAX], dst[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", state_dir, name);
    snprintf(dst, sizeof dst, "%s/%s", state_dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    size_t len = strlen(content);
    if (write(fd, content, len) != (ssize_t)len) { close(fd); return; }
    close(fd);
    rename(tmp, dst);
}

static void monitor_fail(const char *msg) {
    write_state_file("error", msg);
    /* with a state directory the caller reads the error file and reports it once */
    if (!state_dir) fprintf(stderr, "dcont-init: %s\n", msg);
    exit(EXIT_SETUP);
}

/* ---- plan parsing ---- */

/*
 * --await LAUNCHER PLAN: the launcher (pid LAUNCHER, our parent) starts this stage before it has computed the
 * plan, so that starting a process (slow from a JVM) overlaps with planning. Wait until the plan file appears
 * (the launcher renames it into place complete); give up if the launcher dies first (we are re-parented) - it
 * kills us itself when planning fails. A short sleep loop, not inotify: closing an inotify descriptor waits
 * for an SRCU grace period (10-20 ms), longer than the whole wait usually is.
 */
static void await_plan(pid_t launcher, const char *path) {
    useconds_t pause = 50; /* doubling to 200 us: the plan is usually a few ms away */
    while (access(path, F_OK) != 0) {
        if (getppid() != launcher) _exit(EXIT_SETUP);
        usleep(pause);
        if (pause < 200) pause *= 2;
    }
}

static void load_plan(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror("dcont-init: open plan"); exit(EXIT_SETUP); }
    struct stat st;
    if (fstat(fd, &st) < 0) { perror("dcont-init: stat plan"); exit(EXIT_SETUP); }
    char *buf = malloc(st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, st.st_size - got);
        if (r <= 0) { perror("dcont-init: read plan"); exit(EXIT_SETUP); }
        got += r;
    }
    buf[got] = 0;
    close(fd);
    /* tokens */
    size_t cap = 64, n = 0;
    char **tok = malloc(cap * sizeof *tok);
    for (size_t i = 0; i < got;) {
        if (n == cap) { cap *= 2; tok = realloc(tok, cap * sizeof *tok); }
        tok[n++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    ops = calloc(n + 1, sizeof *ops);
    size_t i = 0;
    while (i < n) {
        if (i + 1 >= n) { fprintf(stderr, "dcont-init: truncated plan\n"); exit(EXIT_SETUP); }
        struct op *o = &ops[nops++];
        o->name = tok[i];
        o->argc = atoi(tok[i + 1]);
        if (o->argc < 0 || i + 2 + o->argc > n) { fprintf(stderr, "dcont-init: bad plan op %s\n", o->name); exit(EXIT_SETUP); }
        o->argv = &tok[i + 2];
        i += 2 + o->argc;
    }
}

static int is(const struct op *o, const char *name) { return strcmp(o->name, name) == 0; }
static unsigned long long num(const char *s) { return strtoull(s, NULL, 0); }

static struct op *find_op(const char *name) {
    for (int i = 0; i < nops; i++) if (is(&ops[i], name)) return &ops[i];
    return NULL;
}

/* ---- CVE-2019-5736: run from a sealed memfd copy of ourselves ---- */

static void ensure_cloned_binary(char **argv) {
    if (getenv("_DCONT_INIT_CLONED")) {
        unsetenv("_DCONT_INIT_CLONED");
        return;
    }
    int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0) return;
    struct stat st;
    if (fstat(src, &st) < 0) { close(src); return; }
    int mfd = syscall(SYS_memfd_create, "dcont-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) { close(src); return; }
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t r = sendfile(mfd, src, &off, st.st_size - off);
        if (r <= 0) { close(src); close(mfd); return; }
    }
    close(src);
    if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        close(mfd);
        return;
    }
    setenv("_DCONT_INIT_CLONED", "1", 1);
    extern char **environ;
    syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
    /* fall through on failure: run from the file */
    unsetenv("_DCONT_INIT_CLONED");
    close(mfd);
}

/* ---- child operations ---- */

static void mkdir_all(const char *path, mode_t mode) {
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, mode) < 0 && errno != EEXIST) die_child("mkdir %s", buf);
            *p = '/';
        }
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST) die_child("mkdir %s", buf);
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

static void mask_path(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT) return;
        die_child("stat %s", path);
    }
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0,mode=0755") < 0) die_child("mask %s", path);
    } else {
        if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
            if (errno == ENOENT) return;
            die_child("mask %s", path);
        }
    }
}

static void readonly_path(const char *path) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return;
        die_child("bind %s", path);
    }
    if (mount(path, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REC, NULL) < 0)
        die_child("remount %s read-only", path);
}

static void cap_bounding(uint64_t bnd) {
    for (int c = 0; c < 64; c++) {
        if (bnd & (1ULL << c)) continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
            if (errno == EINVAL) break; /* beyond the kernel's last capability */
            die_child("drop bounding capability %d", c);
        }
    }
}

static void cap_set(uint64_t eff, uint64_t prm, uint64_t inh) {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)eff; data[1].effective = (uint32_t)(eff >> 32);
    data[0].permitted = (uint32_t)prm; data[1].permitted = (uint32_t)(prm >> 32);
    data[0].inheritable = (uint32_t)inh; data[1].inheritable = (uint32_t)(inh >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0) die_child("capset");
}

static void cap_ambient(uint64_t amb) {
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int c = 0; c < 64; c++) {
        if (!(amb & (1ULL << c))) continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) die_child("raise ambient capability %d", c);
    }
}

static void send_fd(int sock, int fd) {
    char dummy = 'p';
    struct iovec iov = {&dummy, 1};
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof cbuf);
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    if (sendmsg(sock, &msg, 0) < 0) die_child("send pty master");
}

static int recv_fd(int sock) {
    char dummy;
    struct iovec iov = {&dummy, 1};
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0) return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

static void setup_pty(void) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) die_child("open /dev/ptmx");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) die_child("unlock pty");
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) {
        char name[64];
        int n;
        if (ioctl(master, TIOCGPTN, &n) < 0) die_child("TIOCGPTN");
        snprintf(name, sizeof name, "/dev/pts/%d", n);
        slave = open(name, O_RDWR | O_NOCTTY);
        if (slave < 0) die_child("open %s", name);
    }
    send_fd(sync_fd, master);
    close(master);
    /* the monitor gives the pty the caller's window size before the process can ask for it */
    char ack;
    if (read(sync_fd, &ack, 1) != 1) die_child("pty handshake with the monitor");
    if (ioctl(slave, TIOCSCTTY, 0) < 0) die_child("TIOCSCTTY");
    for (int i = 0; i < 3; i++) if (dup2(slave, i) < 0) die_child("dup2 pty");
    if (slave > 2) close(slave);
}

static void close_extra_fds(void) {
    /* keep 0-2 and the (close-on-exec) error pipe */
    if (syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) == 0) return;
    for (int fd = 3; fd < 65536; fd++) {
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
    close_extra_fds();

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

static void run_child_ops(void) {
    for (int i = 0; i < nops; i++) {
        struct op *o = &ops[i];
        char **a = o->argv;
        if (is(o, "MOUNT")) {
            /* source target fstype flags data */
            const char *src = a[0][0] ? a[0] : NULL;
            const char *fs = a[2][0] ? a[2] : NULL;
            const char *data = a[4][0] ? a[4] : NULL;
            if (mount(src, a[1], fs, num(a[3]), data) < 0)
                die_child("mount %s on %s (type %s, flags 0x%llx, data %s)", a[0], a[1], a[2], num(a[3]), a[4]);
        } else if (is(o, "MKDIR")) {
            mkdir_all(a[0], num(a[1]));
        } else if (is(o, "TOUCH")) {
            int fd = open(a[0], O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, num(a[1]));
            if (fd < 0 && errno != EISDIR) die_child("create %s", a[0]);
            if (fd >= 0) close(fd);
        } else if (is(o, "MKNOD")) {
            /* path type(c|b) major minor mode uid gid */
            mode_t m = num(a[4]) | (a[1][0] == 'b' ? S_IFBLK : S_IFCHR);
            unlink(a[0]);
            if (mknod(a[0], m, makedev(num(a[2]), num(a[3]))) < 0) die_child("mknod %s", a[0]);
            if (chmod(a[0], num(a[4])) < 0) die_child("chmod %s", a[0]);
            if (chown(a[0], num(a[5]), num(a[6])) < 0) die_child("chown %s", a[0]);
        } else if (is(o, "SYMLINK")) {
            if (symlink(a[0], a[1]) < 0 && errno != EEXIST) die_child("symlink %s -> %s", a[1], a[0]);
        } else if (is(o, "CHDIR")) {
            if (chdir(a[0]) < 0) die_child("chdir %s", a[0]);
        } else if (is(o, "PIVOT_ROOT")) {
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
        } else if (is(o, "EXEC")) {
            do_exec(o);
        }
        /* other ops belong to the monitor */
    }
    errno = EINVAL;
    die_child("plan has no EXEC");
}

/* ---- monitor ---- */

static pid_t child_pid = -1;
static struct termios saved_tio;
static int tio_saved;
static pid_t saved_fg_pgrp = -1;

static void restore_terminal(void) {
    if (tio_saved) tcsetattr(0, TCSADRAIN, &saved_tio);
    tio_saved = 0;
    if (saved_fg_pgrp > 0) {
        signal(SIGTTOU, SIG_IGN);
        tcsetpgrp(0, saved_fg_pgrp);
        saved_fg_pgrp = -1;
    }
}

static void copy_winsize(int master) {
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

static int write_all(int fd, const char *buf, ssize_t n) {
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) { struct pollfd p = {fd, POLLOUT, 0}; poll(&p, 1, 100); continue; }
            return -1;
        }
        buf += w;
        n -= w;
    }
    return 0;
}

/* ---- the log of a detached container ----
 * "DCONTLOG1\n", then one record per read of the container's output: the stream (1 stdout, 2 stderr; a
 * terminal's output is 1), the time in nanoseconds since the epoch (8 bytes, big-endian), the length (4 bytes,
 * big-endian) and the bytes. Each record is one write() to a file opened O_APPEND. Read by dcont logs. */
#define LOG_MAGIC "DCONTLOG1\n"
static int log_fd = -1;

static void write_record(int stream, const char *buf, ssize_t n) {
    static char rec[13 + 16384];
    if (n > 16384) n = 16384;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    rec[0] = (char)stream;
    for (int i = 0; i < 8; i++) rec[1 + i] = (char)(t >> (56 - 8 * i));
    for (int i = 0; i < 4; i++) rec[9 + i] = (char)((uint32_t)n >> (24 - 8 * i));
    memcpy(rec + 13, buf, (size_t)n);
    if (write_all(log_fd, rec, 13 + n) < 0) { /* disk full: the container goes on */ }
}

/* Opens the log; a new (or empty) one gets the header. A log without it (an older dcont's plain output) is
 * started again rather than mixed with records. */
static void open_log(const char *path) {
    log_fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) monitor_fail("open log");
    char head[sizeof LOG_MAGIC - 1];
    ssize_t got = pread(log_fd, head, sizeof head, 0);
    if (got == (ssize_t)sizeof head && memcmp(head, LOG_MAGIC, sizeof head) == 0) return;
    if (got != 0 && ftruncate(log_fd, 0) < 0) monitor_fail("truncate log");
    if (write_all(log_fd, LOG_MAGIC, sizeof LOG_MAGIC - 1) < 0) monitor_fail("write log");
}

/* Copies what the container wrote (to its terminal, or to one of its output pipes) to the caller's stdout or
 * stderr (stream 1 or 2), or, detached, into the log; closes *fd at its end. */
static void relay_output(int *fd, int stream, short revents, char *buf, size_t size) {
    if (*fd < 0 || !(revents & (POLLIN | POLLHUP | POLLERR))) return;
    ssize_t got = read(*fd, buf, size);
    if (got > 0) {
        if (log_fd >= 0) {
            write_record(stream, buf, got);
        } else if (write_all(stream, buf, got) < 0) { /* the caller went away */ }
    } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(*fd);
        *fd = -1;
    }
}

static void remove_cgroups(void) {
    for (int i = nops - 1; i >= 0; i--) {
        if (!is(&ops[i], "CGROUP_REMOVE")) continue;
        for (int tries = 0; tries < 200; tries++) {
            if (rmdir(ops[i].argv[0]) == 0 || errno == ENOENT) break;
            if (errno != EBUSY) break;
            usleep(5000);
        }
    }
}

/* ON_EXIT path args...: after a detached container ended, start the caller's clean-up command in a
 * session of its own (stdio on /dev/null) and do not wait for it */
/*
 * A foreground container is over when its monitor exits, and its launcher removes the state directory then:
 * remove the files (not subdirectories, e.g. of a concurrent exec) here already, which is quicker than the
 * launcher's JVM doing it. A detached container's state stays until it is deleted.
 */
static void remove_foreground_state(void) {
    if (!state_dir) return;
    DIR *d = opendir(state_dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    rmdir(state_dir);
}

static void run_on_exit(void) {
    struct op *o = find_op("ON_EXIT");
    if (!o) return;
    int argc = o->argc;
    if (argc <= 0) return;
    pid_t p = fork();
    if (p != 0) return;
    setsid();
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) { dup2(null, 0); dup2(null, 1); dup2(null, 2); }
    close_extra_fds();
    char **args = calloc(argc + 1, sizeof(char *));
    if (!args) _exit(127);
    for (int i = 0; i < argc; i++) args[i] = o->argv[i];
    execv(args[0], args);
    _exit(127);
}

/* ---- docker-init mode: a minimal init for --init (as Docker's tini) ----
 * Invoked inside the container as "/sbin/docker-init -- CMD ARGS...": runs CMD as its child,
 * forwards every catchable signal to it, reaps orphans, and exits with CMD's status
 * (128+N when CMD died of signal N). It never touches the plan or the memfd logic. */
static volatile sig_atomic_t init_child = 0;

static void init_forward(int sig) {
    if (init_child > 0) kill(init_child, sig);
}

static int init_main(int argc, char **argv) {
    int first = 1;
    if (first < argc && strcmp(argv[first], "--") == 0) first++;
    if (first >= argc) {
        fprintf(stderr, "docker-init: usage: docker-init -- COMMAND [ARG...]\n");
        return EXIT_SETUP;
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t child = fork();
    if (child < 0) {
        perror("docker-init: fork");
        return EXIT_SETUP;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[first], argv + first);
        int e = errno;
        fprintf(stderr, "docker-init: exec %s: %s\n", argv[first], strerror(e));
        _exit(e == ENOENT ? 127 : 126);
    }
    init_child = child;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = init_forward;
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s < NSIG; s++) {
        if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD) continue;
        sigaction(s, &sa, NULL);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p < 0) {
            if (errno == EINTR) continue;
            return EXIT_SETUP;
        }
        if (p == child) {
            /* reap what is left without blocking, then leave with the command's status */
            while (waitpid(-1, NULL, WNOHANG) > 0) { }
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
    }
}

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strcmp(base, "docker-init") == 0) return init_main(argc, argv);
    if (argc == 2 && strcmp(argv[1], "--self-check") == 0) {
        /* prints where the running image comes from and whether it can be written */
        ensure_cloned_binary(argv);
        char buf[PATH_MAX] = {0};
        if (readlink("/proc/self/exe", buf, sizeof buf - 1) < 0) strcpy(buf, "?");
        int fd = open("/proc/self/exe", O_WRONLY);
        printf("exe=%s writable=%s\n", buf, fd >= 0 ? "yes" : strerror(errno));
        return 0;
    }
    int await = argc == 4 && strcmp(argv[1], "--await") == 0;
    if (argc != 2 && !await) {
        fprintf(stderr, "usage: dcont-init [--await LAUNCHER-PID] <plan-file>\n");
        return EXIT_SETUP;
    }
    ensure_cloned_binary(argv);
    if (await) await_plan((pid_t)atoi(argv[2]), argv[3]);
    load_plan(argv[argc - 1]);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    struct op *o;
    unsigned long clone_flags = 0;
    int terminal = 0, detach = 0;
    const char *log_path = NULL;
    if ((o = find_op("NAMESPACES"))) clone_flags = num(o->argv[0]);
    if ((o = find_op("STATE_DIR"))) state_dir = o->argv[0];
    if (find_op("TERMINAL")) terminal = 1;
    if ((o = find_op("DETACH"))) { detach = 1; log_path = o->argv[0]; }

    int report[2] = {-1, -1}; /* detached monitor -> launcher: "ok" or error */
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}; /* detached, no terminal: the container's output */
    if (detach) {
        if (pipe2(report, O_CLOEXEC) < 0) monitor_fail("pipe");
        pid_t p = fork();
        if (p < 0) monitor_fail("fork");
        if (p > 0) {
            close(report[1]);
            char msg[4096];
            ssize_t n, total = 0;
            while ((n = read(report[0], msg + total, sizeof msg - 1 - total)) > 0) total += n;
            msg[total] = 0;
            if (strcmp(msg, "ok") == 0) return 0;
            if (total == 0) fprintf(stderr, "dcont-init: monitor exited before the container started\n");
            return EXIT_SETUP;
        }
        close(report[0]);
        setsid();
        int null = open("/dev/null", O_RDWR);
        if (null < 0) monitor_fail("open /dev/null");
        open_log(log_path);
        dup2(null, 0);
        if (terminal) {
            /* the container's output comes through the pty */
            dup2(null, 1);
            dup2(null, 2);
        } else {
            /* the container's stdout and stderr: pipes this monitor reads (dup2 leaves fds 1 and 2 inheritable) */
            if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) monitor_fail("pipe");
            dup2(out_pipe[1], 1);
            dup2(err_pipe[1], 2);
            close(out_pipe[1]);
            close(err_pipe[1]);
        }
        close(null);
        /* become a sub-reaper-free, session-less daemon: fork again so we are not a session leader */
        pid_t q = fork();
        if (q < 0) monitor_fail("fork");
        if (q > 0) _exit(0);
    }

    /* for exec: enter the container's pid namespace so that the child is born there */
    if ((o = find_op("SETNS_PID"))) {
        int fd = open(o->argv[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) {
            char msg[512];
            snprintf(msg, sizeof msg, "setns pid %s: %s", o->argv[0], strerror(errno));
            monitor_fail(msg);
        }
        close(fd);
    }

    if (!detach && isatty(0) && tcgetpgrp(0) == getpgrp()) {
        /* take the terminal's foreground so that ^C etc. reach the monitor only, which forwards them */
        saved_fg_pgrp = getpgrp();
        if (setpgid(0, 0) == 0) {
            signal(SIGTTOU, SIG_IGN);
            if (tcsetpgrp(0, getpid()) < 0) saved_fg_pgrp = -1;
            signal(SIGTTOU, SIG_DFL);
        } else {
            saved_fg_pgrp = -1;
        }
    }

    sigset_t fwd;
    sigemptyset(&fwd);
    int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD, SIGCONT, SIGALRM};
    for (size_t k = 0; k < sizeof forwarded / sizeof *forwarded; k++) sigaddset(&fwd, forwarded[k]);
    sigprocmask(SIG_BLOCK, &fwd, NULL);
    signal(SIGPIPE, SIG_IGN);

    int errpipe[2], sock[2];
    if (pipe2(errpipe, O_CLOEXEC) < 0) monitor_fail("pipe");
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0) monitor_fail("socketpair");

    pid_t pid = syscall(SYS_clone, (clone_flags & ~(unsigned long)CLONE_NEWCGROUP) | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "clone (flags 0x%lx): %s", clone_flags, strerror(errno));
        monitor_fail(msg);
    }
    if (pid == 0) {
        close(errpipe[0]);
        close(sock[0]);
        error_fd = errpipe[1];
        sync_fd = sock[1];
        char go;
        if (read(sync_fd, &go, 1) != 1) _exit(EXIT_SETUP);
        if (setsid() < 0) die_child("setsid");
        if (clone_flags & CLONE_NEWCGROUP) {
            if (unshare(CLONE_NEWCGROUP) < 0) die_child("unshare cgroup namespace");
        }
        run_child_ops();
        _exit(EXIT_SETUP);
    }
    child_pid = pid;
    close(errpipe[1]);
    close(sock[1]);
    if (out_pipe[0] >= 0) {
        /* the container has the pipes' writing ends now; without this monitor's copies they end with it */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
            close(null);
        }
        fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
        fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
    }

    char pidbuf[32];
    for (int i = 0; i < nops; i++) {
        if (!is(&ops[i], "CGROUP_JOIN")) continue;
        int fd = open(ops[i].argv[0], O_WRONLY | O_CLOEXEC);
        snprintf(pidbuf, sizeof pidbuf, "%d", pid);
        if (fd < 0 || write(fd, pidbuf, strlen(pidbuf)) < 0) {
            char msg[PATH_MAX + 128];
            snprintf(msg, sizeof msg, "join cgroup %s: %s", ops[i].argv[0], strerror(errno));
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            remove_cgroups();
            if (detach) { if (write(report[1], msg, strlen(msg)) < 0) {} }
            monitor_fail(msg);
        }
        close(fd);
    }
    snprintf(pidbuf, sizeof pidbuf, "%d\n", pid);
    write_state_file("pid", pidbuf);
    snprintf(pidbuf, sizeof pidbuf, "%d\n", getpid());
    write_state_file("monitor.pid", pidbuf);

    if (write(sock[0], "g", 1) != 1) monitor_fail("release child");

    int master = -1;
    if (terminal) {
        master = recv_fd(sock[0]);
        /* if the child failed before sending, fall through to error reading */
        if (master >= 0) {
            if (isatty(0)) copy_winsize(master);
            if (write(sock[0], "w", 1) != 1) { /* the child is gone: its error follows */ }
        }
    }
    /* wait for exec (EOF on the close-on-exec pipe) or an error message */
    char errmsg[4096];
    ssize_t n, total = 0;
    while ((n = read(errpipe[0], errmsg + total, sizeof errmsg - 1 - total)) > 0) total += n;
    errmsg[total] = 0;
    close(errpipe[0]);
    if (total > 0) {
        int st;
        waitpid(pid, &st, 0);
        remove_cgroups();
        restore_terminal();
        if (detach) { if (write(report[1], errmsg, total) < 0) {} }
        monitor_fail(errmsg);
    }
    write_state_file("started", "1\n");
    if (detach) {
        if (write(report[1], "ok", 2) < 0) {}
        close(report[1]);
    }

    int sfd = signalfd(-1, &fwd, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) monitor_fail("signalfd");

    int stdin_open = 0;
    if (master >= 0) {
        fcntl(master, F_SETFL, O_NONBLOCK);
        /* detached (docker run -dt): nobody types; the terminal stays open, and its program waits for input
         * rather than seeing an end of it */
        if (!detach && isatty(0)) {
            copy_winsize(master);
            if (tcgetattr(0, &saved_tio) == 0) {
                struct termios raw = saved_tio;
                cfmakeraw(&raw);
                tcsetattr(0, TCSANOW, &raw); /* not TCSAFLUSH: keep what was typed ahead */
                tio_saved = 1;
            }
        }
        stdin_open = !detach;
    }

    int status = 0, exited = 0;
    char buf[16384];
    int out_r = out_pipe[0], err_r = err_pipe[0];
    while (!exited || master >= 0 || out_r >= 0 || err_r >= 0) {
        struct pollfd pfd[5];
        int np = 0;
        pfd[np++] = (struct pollfd){sfd, POLLIN, 0};
        int mi = -1, si = -1, oi = -1, ei = -1;
        if (master >= 0) { mi = np; pfd[np++] = (struct pollfd){master, POLLIN, 0}; }
        if (master >= 0 && stdin_open) { si = np; pfd[np++] = (struct pollfd){0, POLLIN, 0}; }
        if (out_r >= 0) { oi = np; pfd[np++] = (struct pollfd){out_r, POLLIN, 0}; }
        if (err_r >= 0) { ei = np; pfd[np++] = (struct pollfd){err_r, POLLIN, 0}; }
        int r = poll(pfd, np, exited ? 50 : -1);
        if (r < 0 && errno != EINTR) break;
        if (r == 0 && exited) break; /* drained */
        if (pfd[0].revents & POLLIN) {
            struct signalfd_siginfo si_;
            while (read(sfd, &si_, sizeof si_) == sizeof si_) {
                int sig = si_.ssi_signo;
                if (sig == SIGCHLD) {
                    int st;
                    pid_t w;
                    while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
                        if (w == child_pid) {
                            exited = 1;
                            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                        }
                    }
                } else if (sig == SIGWINCH) {
                    if (master >= 0) copy_winsize(master);
                } else if (!exited) {
                    kill(child_pid, sig);
                }
            }
        }
        if (mi >= 0) relay_output(&master, 1, pfd[mi].revents, buf, sizeof buf);
        if (oi >= 0) relay_output(&out_r, 1, pfd[oi].revents, buf, sizeof buf);
        if (ei >= 0) relay_output(&err_r, 2, pfd[ei].revents, buf, sizeof buf);
        if (si >= 0 && master >= 0 && (pfd[si].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = read(0, buf, sizeof buf);
            if (got > 0) {
                write_all(master, buf, got);
            } else if (got == 0 || errno != EINTR) {
                stdin_open = 0;
                if (!isatty(0)) {
                    /* end of piped input: send EOF to the terminal line discipline */
                    char eof = 4;
                    write_all(master, &eof, 1);
                }
            }
        }
    }
    if (!exited) {
        int st;
        waitpid(child_pid, &st, 0);
        status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    restore_terminal();
    snprintf(pidbuf, sizeof pidbuf, "%d\n", status);
    write_state_file("exit", pidbuf);
    remove_cgroups();
    run_on_exit();
    if (!detach) remove_foreground_state();
    return status;
}
