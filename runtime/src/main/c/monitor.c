/* The monitor: outside the container, it clones it, joins it to its cgroups, relays its output and records its exit. */
#include "stage.h"

char *state_dir;
static pid_t child_pid = -1;

void write_state_file(const char *name, const char *content) {
    if (!state_dir) return;
    char tmp[PATH_MAX], dst[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", state_dir, name);
    snprintf(dst, sizeof dst, "%s/%s", state_dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    size_t len = strlen(content);
    if (write(fd, content, len) != (ssize_t)len) { close(fd); return; }
    close(fd);
    rename(tmp, dst);
}

void monitor_fail(const char *msg) {
    write_state_file("error", msg);
    /* with a state directory the caller reads the error file and reports it once */
    if (!state_dir) fprintf(stderr, "dcont-init: %s\n", msg);
    exit(EXIT_SETUP);
}

int write_all(int fd, const char *buf, ssize_t n) {
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
int log_fd = -1;

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
    attach_send(rec, 13 + (size_t)n);
}

/* Opens the log; a new (or empty) one gets the header. A log without it (an older dcont's plain output) is
 * started again rather than mixed with records. */
static void open_log(const char *path) {
    log_fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
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

/* A step between clone and the child's release failed: the child, which has run nothing yet, and the cgroups go;
 * a detached launcher waiting on report_fd (-1 when none) gets the message too. */
static void fail_unreleased(pid_t pid, const char *msg, int report_fd) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    remove_cgroups();
    if (report_fd >= 0) { if (write(report_fd, msg, strlen(msg)) < 0) {} }
    monitor_fail(msg);
}

/* Everything after the plan is loaded: fork off when detached, clone the container, join it to its cgroups,
 * then relay, forward signals and record the exit status. */
int run_monitor(void) {
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    struct op *o;
    unsigned long clone_flags = 0;
    int terminal = 0, detach = 0;
    const char *log_path = NULL;
    if ((o = find_op("NAMESPACES"))) clone_flags = num(o->argv[0]);
    if ((o = find_op("STATE_DIR"))) state_dir = o->argv[0];
    if (find_op("TERMINAL")) terminal = 1;
    if ((o = find_op("DETACH"))) { detach = 1; log_path = o->argv[0]; }
    /* the seccomp program is made (or read from its cache) before anything else, so that a failure is reported
       by the launcher's own process */
    prepare_seccomp();

    int report[2] = {-1, -1}; /* detached monitor -> launcher: "ok" or error */
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
        attach_listen();
        /* the container's output comes through the pty or its stdio pipes, into the log */
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
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

    int create = oci_create_mode();
    /* runc's create and exec --detach: no relay, the container's process gets the caller's stdio */
    int inherit = create || find_op("EXEC_DETACHED") != NULL;
    if (!detach && !inherit && isatty(0) && tcgetpgrp(0) == getpgrp()) {
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

    /* without a terminal the container's stdio are pipes (stdio.c); with one, the pty */
    /* created (runc create), the container's stdio are the caller's */
    if (!terminal && !inherit) stdio_make_pipes(!detach);

    if (create) oci_monitor_prepare();
    preserve_fds_take();
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
        stdio_child();
        oci_child_prepare();
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
    preserve_fds_release();
    close(errpipe[1]);
    close(sock[1]);
    int out_r = -1, err_r = -1; /* detached: the container's output pipes, read into the log */
    int attach_in = -1;         /* detached with input, no terminal: its stdin pipe, for the attach socket */
    int stdin_attach = detach && find_op("STDIN_OPEN") != NULL;
    stdio_monitor(!detach, find_op("STDIN_OPEN") != NULL, &out_r, &err_r, &attach_in);

    char pidbuf[32];
    for (int i = 0; i < nops; i++) {
        if (!is(&ops[i], "CGROUP_JOIN")) continue;
        int fd = open(ops[i].argv[0], O_WRONLY | O_CLOEXEC);
        snprintf(pidbuf, sizeof pidbuf, "%d", pid);
        if (fd < 0 || write(fd, pidbuf, strlen(pidbuf)) < 0) {
            char msg[PATH_MAX + 128];
            snprintf(msg, sizeof msg, "join cgroup %s: %s", ops[i].argv[0], strerror(errno));
            fail_unreleased(pid, msg, detach ? report[1] : -1);
        }
        close(fd);
    }
    /* the device filter is in place before the child runs its first step */
    for (int i = 0; i < nops; i++) {
        if (!is(&ops[i], "DEVICE_FILTER")) continue;
        char msg[PATH_MAX + 1280];
        if (device_filter_attach(&ops[i], msg, sizeof msg) < 0) fail_unreleased(pid, msg, detach ? report[1] : -1);
    }
    snprintf(pidbuf, sizeof pidbuf, "%d\n", pid);
    write_state_file("pid", pidbuf);
    snprintf(pidbuf, sizeof pidbuf, "%d\n", getpid());
    write_state_file("monitor.pid", pidbuf);

    if (write(sock[0], "g", 1) != 1) monitor_fail("release child");
    if (create) return oci_monitor_created(pid, errpipe[0], sock[0]);

    int master = -1;
    if (terminal) {
        master = recv_fd(sock[0]);
        /* exec --detach --tty: the terminal goes to the caller's console socket, not to a relay */
        if (master >= 0 && find_op("CONSOLE_SOCKET")) {
            char msg[PATH_MAX + 256];
            if (oci_send_console(master, msg, sizeof msg) < 0) fail_unreleased(pid, msg, -1);
            close(master);
            master = -1;
            if (write(sock[0], "w", 1) != 1) { /* the child is gone: its error follows */ }
        }
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
    /* exec --detach: the process runs; its parent becomes the caller's subreaper, as after create */
    if (inherit) return 0;
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

    int status = 0, exited = 0, abandon = 0;
    char buf[16384];
    while (!abandon && (!exited || master >= 0 || out_r >= 0 || err_r >= 0 || stdio_open())) {
        struct pollfd pfd[24];
        int np = 0;
        pfd[np++] = (struct pollfd){sfd, POLLIN, 0};
        int ai = np;
        np += attach_poll_set(pfd + ai);
        int ri = np;
        long long rest;
        np += stdio_poll_set(pfd + ri, exited, &rest);
        int mi = -1, si = -1, oi = -1, ei = -1;
        if (master >= 0) { mi = np; pfd[np++] = (struct pollfd){master, POLLIN, 0}; }
        if (master >= 0 && stdin_open) { si = np; pfd[np++] = (struct pollfd){0, POLLIN, 0}; }
        if (out_r >= 0) { oi = np; pfd[np++] = (struct pollfd){out_r, POLLIN, 0}; }
        if (err_r >= 0) { ei = np; pfd[np++] = (struct pollfd){err_r, POLLIN, 0}; }
        /* a resting stream (stdio.c) is polled again when its rest ends; after the end, 50 ms without output */
        struct timespec ts = {0, rest >= 0 ? rest : 50000000L};
        int r = ppoll(pfd, np, rest >= 0 || exited ? &ts : NULL, NULL);
        if (r < 0 && errno != EINTR) break;
        if (r == 0 && rest < 0 && exited && !stdio_pending()) break; /* drained */
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
                } else if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT) {
                    /* the container has ended and its output waits for a reader that does not read: give up */
                    abandon = 1;
                }
            }
        }
        if (r > 0) stdio_relay(pfd + ri);
        /* before the output below, so that a client taken now gets this round's output too */
        if (r > 0) attach_handle(pfd + ai, !stdin_attach ? -1 : master >= 0 ? master : attach_in, master);
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
    /* after the exit code is there: a client that sees the socket's end reads it next */
    attach_close();
    if (attach_in >= 0) close(attach_in);
    remove_cgroups();
    run_on_exit();
    if (!detach) remove_foreground_state();
    return status;
}
