/*
 * runc's create/start split and the runtime-spec hooks.
 *
 * create: the monitor clones the container as for run, but without a relay: the container's stdio are the
 * caller's. The child does every step of its plan, then tells the monitor it is created ('c' on the sync
 * socket) and opens the exec fifo for writing, which blocks until start opens it for reading (runc's
 * exec.fifo). The monitor exits on 'c', so that no dcont process stays the container's parent: the init is
 * reparented to the caller's subreaper (conmon, containerd's shim), which waits for it.
 *
 * Hooks: each gets the container's state on stdin (the plan holds the JSON around the pid, which only the
 * running stage knows), runs with the plan's path, arguments and environment, and is killed after its timeout.
 * RUNTIME_HOOK (createRuntime, prestart) runs in the monitor, in the runtime's namespaces, while the child waits
 * at HOOKS_SYNC (after its mounts, before pivot_root); CONTAINER_HOOK (createContainer) runs in the child at its
 * place in the plan, in the container's namespaces, before pivot_root; START_HOOK (startContainer) runs in the
 * child after start, before the process is executed.
 * EXEC_DETACHED (runc's exec --detach): as create, no relay and no monitor left, but nothing waits: the monitor
 * exits once the process has executed.
 * Step format: NAME STATE-PREFIX STATE-SUFFIX TIMEOUT-SECONDS(0: none) PATH NARGS ARGS... ENV...
 */
#include "stage.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static int fifo_fd = -1;
static pid_t own_host_pid;

int oci_create_mode(void) { return find_op("EXEC_FIFO") != NULL; }

/* Runs hook step o for the container whose host pid is pid; 0, or -1 with a message in err. */
static int run_hook(const struct op *o, pid_t pid, char *err, size_t errlen) {
    char **a = o->argv;
    const char *path = a[3];
    long timeout = (long)num(a[2]);
    int nargs = atoi(a[4]);
    if (o->argc < 5 || nargs < 0 || 5 + nargs > o->argc) {
        snprintf(err, errlen, "bad hook step in the plan");
        return -1;
    }
    char **args = calloc(nargs + 2, sizeof(char *));
    char **env = calloc(o->argc - 5 - nargs + 1, sizeof(char *));
    if (!args || !env) { snprintf(err, errlen, "out of memory"); return -1; }
    if (nargs == 0) args[0] = (char *)path;
    for (int i = 0; i < nargs; i++) args[i] = a[5 + i];
    for (int i = 0; i < o->argc - 5 - nargs; i++) env[i] = a[5 + nargs + i];
    size_t len = strlen(a[0]) + strlen(a[1]) + 24;
    char *json = malloc(len);
    if (!json) { snprintf(err, errlen, "out of memory"); return -1; }
    int jn = snprintf(json, len, "%s%d%s", a[0], (int)pid, a[1]);

    int in[2];
    if (pipe2(in, O_CLOEXEC) < 0) { snprintf(err, errlen, "hook %s: pipe: %s", path, strerror(errno)); return -1; }
    pid_t h = fork();
    if (h < 0) { snprintf(err, errlen, "hook %s: fork: %s", path, strerror(errno)); return -1; }
    if (h == 0) {
        if (dup2(in[0], 0) < 0) _exit(127);
        sigset_t none;
        sigemptyset(&none);
        for (int s = 1; s < NSIG; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, args, env);
        fprintf(stderr, "dcont-init: hook %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(in[0]);
    /* a hook that does not read its state is not an error (SIGPIPE is ignored here) */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    write_all(in[1], json, jn);
    signal(SIGPIPE, old);
    close(in[1]);
    free(json);
    int st = 0;
    if (timeout > 0) {
        int pfd = syscall(SYS_pidfd_open, h, 0);
        if (pfd >= 0) {
            struct pollfd p = {pfd, POLLIN, 0};
            int r;
            do r = poll(&p, 1, (int)(timeout * 1000)); while (r < 0 && errno == EINTR);
            close(pfd);
            if (r == 0) {
                kill(h, SIGKILL);
                waitpid(h, NULL, 0);
                snprintf(err, errlen, "hook %s: timed out after %ld s", path, timeout);
                return -1;
            }
        }
    }
    while (waitpid(h, &st, 0) < 0) {
        if (errno != EINTR) { snprintf(err, errlen, "hook %s: wait: %s", path, strerror(errno)); return -1; }
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (WIFEXITED(st)) snprintf(err, errlen, "hook %s: exited with %d", path, WEXITSTATUS(st));
    else snprintf(err, errlen, "hook %s: killed by signal %d", path, WTERMSIG(st));
    return -1;
}

void oci_monitor_prepare(void) {
    struct op *o = find_op("EXEC_FIFO");
    if (!o) return;
    /* writable by all, as runc's: the container's process opens it as the container's user, maybe without any
     * capability; only the state directory (0700) leads to it */
    if (mkfifo(o->argv[0], 0622) < 0 || chmod(o->argv[0], 0622) < 0) {
        char msg[PATH_MAX + 64];
        snprintf(msg, sizeof msg, "mkfifo %s: %s", o->argv[0], strerror(errno));
        monitor_fail(msg);
    }
}

void oci_child_prepare(void) {
    /* /proc is still the caller's here: its "self" is this process's pid outside the container */
    char buf[32] = {0};
    if (readlink("/proc/self", buf, sizeof buf - 1) > 0) own_host_pid = (pid_t)atoi(buf);
    struct op *o = find_op("EXEC_FIFO");
    if (!o) return;
    /* a path handle now, reopened for writing at the end, when the state directory is out of sight */
    fifo_fd = open(o->argv[0], O_PATH | O_CLOEXEC);
    if (fifo_fd < 0) die_child("open exec fifo %s", o->argv[0]);
}

void oci_child_hooks_sync(void) {
    char c;
    if (write(sync_fd, "h", 1) != 1) die_child("hooks sync");
    if (read(sync_fd, &c, 1) != 1 || c != 'g') _exit(EXIT_SETUP); /* the monitor has the error */
}

void oci_child_run_hook(const struct op *o) {
    char err[PATH_MAX + 256];
    if (run_hook(o, own_host_pid, err, sizeof err) < 0) { errno = 0; die_child("createContainer %s", err); }
}

static void end_on_signal(int sig) { _exit(128 + sig); }

void oci_before_exec(void) {
    if (fifo_fd < 0) return;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fifo_fd);
    /* what would fail the open below is reported by create, while the monitor still listens */
    if (access(path, W_OK) < 0) die_child("open the exec fifo through %s (is /proc mounted in the container?)", path);
    if (write(sync_fd, "c", 1) != 1) die_child("report created");
    /* the monitor is gone once it has read that: later errors go to the container's stderr, the caller's */
    close(error_fd);
    error_fd = -1;
    /* while it waits, a signal whose default is to end a process ends it (kill of a created container, as runc's
     * init ends): as the first process of its pid namespace it would ignore any signal without a handler */
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < NSIG; s++) {
        if (s == SIGKILL || s == SIGSTOP) continue;
        int ignored = s == SIGCHLD || s == SIGCONT || s == SIGURG || s == SIGWINCH || s == SIGTSTP || s == SIGTTIN
                || s == SIGTTOU;
        signal(s, ignored ? SIG_DFL : end_on_signal);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) die_child("open the exec fifo through %s (is /proc mounted in the container?)", path);
    if (write(fd, "0", 1) != 1) die_child("write the exec fifo");
    close(fd);
    close(fifo_fd);
    fifo_fd = -1;
    for (int s = 1; s < NSIG; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    char err[PATH_MAX + 256];
    for (int i = 0; i < nops; i++) {
        if (is(&ops[i], "START_HOOK") && run_hook(&ops[i], own_host_pid, err, sizeof err) < 0) {
            errno = 0;
            die_child("startContainer %s", err);
        }
    }
}

/* CONSOLE_SOCKET path: hands the terminal's master to whoever listens on the unix socket path, as runc does
 * (the fd in SCM_RIGHTS, its name as the data); 0, or -1 with a message in err */
int oci_send_console(int master, char *err, size_t errlen) {
    struct op *o = find_op("CONSOLE_SOCKET");
    const char *path = o->argv[0];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        snprintf(err, errlen, "console socket %s: path too long", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
        snprintf(err, errlen, "connect to the console socket %s: %s", path, strerror(errno));
        if (s >= 0) close(s);
        return -1;
    }
    if (send_fd_named(s, master, "/dev/ptmx") < 0) {
        snprintf(err, errlen, "send the terminal to the console socket %s: %s", path, strerror(errno));
        close(s);
        return -1;
    }
    close(s);
    return 0;
}

/* The monitor's part of create, once the child is released: runs the runtime's hooks when the child asks,
 * returns 0 when the child is created, or fails (the child killed, the cgroups removed). */
int oci_monitor_created(pid_t pid, int errfd, int sock) {
    char err[4096];
    for (;;) {
        struct pollfd p[2] = {{sock, POLLIN, 0}, {errfd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            snprintf(err, sizeof err, "poll: %s", strerror(errno));
            break;
        }
        if (p[0].revents & POLLIN) {
            /* one byte, with the terminal's master for 'p' (setup_pty) */
            char c;
            int master;
            ssize_t n = recv_byte_fd(sock, &c, &master);
            if (n == 1 && c == 'p') {
                if (master < 0) { snprintf(err, sizeof err, "no terminal from the container"); break; }
                int r = oci_send_console(master, err, sizeof err);
                close(master);
                if (r < 0) break;
                if (write(sock, "w", 1) != 1) { /* the child is gone: its error follows */ }
                continue;
            }
            if (n == 1 && c == 'c') return 0;
            if (n == 1 && c == 'h') {
                int failed = 0;
                for (int i = 0; i < nops && !failed; i++) {
                    if (is(&ops[i], "RUNTIME_HOOK") && run_hook(&ops[i], pid, err, sizeof err) < 0) failed = 1;
                }
                if (failed) break;
                if (write(sock, "g", 1) != 1) { /* the child is gone: its error follows */ }
                continue;
            }
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR) || p[0].revents & (POLLHUP | POLLERR)) {
            ssize_t n, total = 0;
            while ((n = read(errfd, err + total, sizeof err - 1 - total)) > 0) total += n;
            err[total] = 0;
            if (total == 0) snprintf(err, sizeof err, "the container's process ended while it was being created");
            break;
        }
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    for (int i = nops - 1; i >= 0; i--) {
        if (is(&ops[i], "CGROUP_REMOVE")) rmdir(ops[i].argv[0]);
    }
    monitor_fail(err);
}
