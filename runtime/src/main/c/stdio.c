/*
 * The container's stdin, stdout and stderr without a terminal: pipes, never the caller's descriptors (with the
 * caller's file as its stdout, a container could chown or chmod it through /proc/self/fd/1). A foreground
 * monitor relays them to and from its own stdio, as conmon does; a detached one keeps the output in the log.
 *
 * The relay never blocks on the caller's side, so that signals and the container's exit are handled while a
 * reader is slow: splice(2) with SPLICE_F_NONBLOCK between pipes (and to or from files, which do not block),
 * read/write where splice is refused (a terminal, a file opened O_APPEND), a terminal reopened non-blocking
 * and a socket written with MSG_DONTWAIT (their own blocking mode belongs to the caller).
 *
 * A bulk stream moves in large pieces: the pipes on both sides are grown to 1 MiB (the caller's too, where the
 * kernel allows), and after a splice of at least REST_MIN bytes that left the pipes well short of full, the
 * stream rests for REST_NS before it is polled again, so that a writer of small pieces (head -c writes 4 KiB at
 * a time) is not followed by a wake-up, a poll and a splice each; on a machine with fewer cores than the
 * writer, the monitor and the container, those wake-ups cost more than the copy. A stream that fills half its
 * pipes between two transfers does not rest, and neither does one of small pieces (an interactive one).
 */
#include "stage.h"

#define PIPE_SIZE (1 << 20) /* fewer wake-ups per byte; what an unprivileged caller may get is the fallback */
#define BUF_SIZE (128 << 10)
#define REST_MIN (32 << 10)
#ifndef REST_NS
#define REST_NS 200000LL
#endif

struct stream {
    int src, dst;         /* -1 once the stream has ended */
    int own_src, own_dst; /* descriptors of this module (closed at the end), not the caller's */
    int use_splice;
    int dst_full;         /* the last transfer found dst full: wait until it takes more */
    int dst_sock;
    char *buf;            /* read/write path: bytes read and not yet written */
    size_t off, len;
    int pi;               /* index in the poll set of this round, -1 if not polled */
    int polled_dst;
    size_t limit;         /* the most one splice can move (the smaller pipe), 0 where the stream never rests */
    long long rest_until; /* CLOCK_MONOTONIC ns */
};

enum { IN, OUT, ERR };
static struct stream streams[3] = {{.src = -1, .dst = -1}, {.src = -1, .dst = -1}, {.src = -1, .dst = -1}};

/* the container's ends, made its fds 0-2 in the child */
static int child_fd[3] = {-1, -1, -1};
/* the monitor's ends: the writing end of the container's stdin, the reading ends of its output */
static int in_w = -1, out_r = -1, err_r = -1;

static void bigger(int fd) {
    if (fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE) < 0) { /* the default size still works */ }
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* a pipe's capacity; SIZE_MAX for a file, which takes or gives any amount */
static size_t capacity(int fd) {
    struct stat st;
    if (fstat(fd, &st) < 0) return 0;
    if (!S_ISFIFO(st.st_mode)) return S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode) ? SIZE_MAX : 0;
    int n = fcntl(fd, F_GETPIPE_SZ);
    return n > 0 ? (size_t)n : 0;
}

/* grows a pipe of the caller's to the relay's size (a larger buffer is all that changes for the caller) */
static void grow(int fd) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < PIPE_SIZE) bigger(fd);
}

static void set_limit(struct stream *s) {
    if (!s->use_splice) return;
    size_t a = capacity(s->src), b = capacity(s->dst);
    s->limit = a < b ? a : b;
    if (s->limit < PIPE_SIZE / 2) s->limit = 0; /* a small pipe fills before a rest would end */
}

static void make_pipe(int p[2]) {
    if (pipe2(p, O_CLOEXEC) < 0) monitor_fail("pipe for the container's stdio");
    bigger(p[0]);
}

/* stdout and stderr are one open file (2>&1, or one terminal): one pipe keeps the order of what is written */
static int same_open_file(int a, int b) {
    return syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, a, b) == 0;
}

void stdio_make_pipes(int relay) {
    /* a missing fd 0-2 would be taken by a pipe below and then read or written as the caller's */
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd) monitor_fail("open /dev/null");
    }
    int p[2];
    make_pipe(p);
    child_fd[0] = p[0];
    in_w = p[1];
    make_pipe(p);
    out_r = p[0];
    child_fd[1] = p[1];
    if (relay && same_open_file(1, 2)) {
        child_fd[2] = child_fd[1];
    } else {
        make_pipe(p);
        err_r = p[0];
        child_fd[2] = p[1];
    }
}

void stdio_child(void) {
    if (child_fd[0] < 0) return; /* a terminal: the PTY step makes it fds 0-2 */
    for (int fd = 0; fd < 3; fd++) {
        if (dup2(child_fd[fd], fd) < 0) die_child("dup2 the stdio pipes");
    }
    for (int fd = 0; fd < 3; fd++) {
        if (child_fd[fd] > 2 && (fd < 2 || child_fd[fd] != child_fd[1])) close(child_fd[fd]);
    }
    close(in_w);
    close(out_r);
    if (err_r >= 0) close(err_r);
}

static void set_dst(struct stream *s, int fd) {
    struct stat st;
    s->dst = fd;
    s->use_splice = 1;
    if (fstat(fd, &st) < 0) return;
    if (S_ISSOCK(st.st_mode)) {
        /* splice into a socket blocks unless the socket's file is non-blocking, which is the caller's */
        s->dst_sock = 1;
        s->use_splice = 0;
    } else if (isatty(fd)) {
        /* a new open file of the same terminal, whose O_NONBLOCK does not change the caller's */
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        int nb = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (nb >= 0) {
            s->dst = nb;
            s->own_dst = 1;
        }
        s->use_splice = 0;
    }
}

/* Detached (not relay), with input: the writing end of the container's stdin goes to *attach_in, for the attach
 * socket's clients (attach.c); it stays open, so the container waits for input rather than seeing its end. */
int stdio_monitor(int relay, int input, int *log_out, int *log_err, int *attach_in) {
    if (child_fd[0] < 0) return 0;
    close(child_fd[0]);
    close(child_fd[1]);
    if (child_fd[2] != child_fd[1]) close(child_fd[2]);
    fcntl(out_r, F_SETFL, O_NONBLOCK);
    if (err_r >= 0) fcntl(err_r, F_SETFL, O_NONBLOCK);
    /* a background monitor writes to the caller's terminal as the container did from its own session */
    if (relay) signal(SIGTTOU, SIG_IGN);
    if (input && relay) {
        fcntl(in_w, F_SETFL, O_NONBLOCK);
        grow(0);
        streams[IN] = (struct stream){.src = 0, .dst = in_w, .own_dst = 1, .use_splice = 1};
        set_limit(&streams[IN]);
    } else if (input) {
        fcntl(in_w, F_SETFL, O_NONBLOCK);
        *attach_in = in_w;
    } else {
        close(in_w); /* stdin at its end from the start, as under docker run without -i */
    }
    in_w = -1;
    if (!relay) {
        *log_out = out_r;
        *log_err = err_r;
        return 1;
    }
    grow(1);
    streams[OUT] = (struct stream){.src = out_r, .own_src = 1};
    set_dst(&streams[OUT], 1);
    set_limit(&streams[OUT]);
    if (err_r >= 0) {
        grow(2);
        streams[ERR] = (struct stream){.src = err_r, .own_src = 1};
        set_dst(&streams[ERR], 2);
        set_limit(&streams[ERR]);
    }
    return 1;
}

/* Ends a stream: closing the container's end of an output pipe gives it EPIPE at its next write, as a closed
 * reader would have; closing the stdin pipe is its end of input. */
static void stream_end(struct stream *s) {
    if (s->own_src && s->src >= 0) close(s->src);
    if (s->own_dst && s->dst >= 0) close(s->dst);
    s->src = s->dst = -1;
    s->off = s->len = 0;
    free(s->buf);
    s->buf = NULL;
}

static void flush(struct stream *s) {
    while (s->off < s->len) {
        ssize_t w = s->dst_sock ? send(s->dst, s->buf + s->off, s->len - s->off, MSG_DONTWAIT | MSG_NOSIGNAL)
                                : write(s->dst, s->buf + s->off, s->len - s->off);
        if (w > 0) {
            s->off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && errno == EAGAIN) {
            return; /* the rest when dst polls writable */
        } else {
            stream_end(s);
            return;
        }
    }
    s->off = s->len = 0;
}

/* One transfer of what src has, at most a pipe's worth, so that no stream or signal waits long for another. */
static void transfer(struct stream *s) {
    if (s->use_splice) {
        ssize_t n = splice(s->src, NULL, s->dst, NULL, PIPE_SIZE, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n >= REST_MIN && (size_t)n < s->limit / 2) s->rest_until = now_ns() + REST_NS;
        if (n > 0 || (n < 0 && errno == EINTR)) return;
        if (n == 0) {
            stream_end(s);
            return;
        }
        if (errno == EAGAIN) {
            /* src polled readable, so dst is full */
            s->dst_full = 1;
            return;
        }
        if (errno != EINVAL && errno != ENOSYS) {
            stream_end(s); /* EPIPE: nobody reads dst any more */
            return;
        }
        s->use_splice = 0;
    }
    if (!s->buf && !(s->buf = malloc(BUF_SIZE))) {
        stream_end(s);
        return;
    }
    ssize_t n = read(s->src, s->buf, BUF_SIZE);
    if (n > 0) {
        s->off = 0;
        s->len = (size_t)n;
        flush(s);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        stream_end(s);
    }
}

/*
 * The poll set of the streams that are not resting, and in *rest_ns how long the poll may wait before a resting
 * one is due (-1: none rests). Both are judged at one instant: a rest that ended between building the set and
 * computing the wait would otherwise leave its stream out of a poll without a timeout, and a full caller's pipe
 * and an empty container's pipe would then wait on each other for ever.
 */
int stdio_poll_set(struct pollfd *pfd, int exited, long long *rest_ns) {
    /* once the container has ended nobody reads its stdin; the caller's input is left unread */
    if (exited && streams[IN].src >= 0) stream_end(&streams[IN]);
    long long now = now_ns();
    int n = 0;
    *rest_ns = -1;
    for (int i = 0; i < 3; i++) {
        struct stream *s = &streams[i];
        s->pi = -1;
        if (s->src < 0) continue;
        if (s->rest_until > now) {
            long long left = s->rest_until - now;
            if (*rest_ns < 0 || left < *rest_ns) *rest_ns = left;
            continue;
        }
        s->pi = n;
        s->polled_dst = s->len > s->off || s->dst_full;
        pfd[n++] = s->polled_dst ? (struct pollfd){s->dst, POLLOUT, 0} : (struct pollfd){s->src, POLLIN, 0};
    }
    return n;
}

void stdio_relay(const struct pollfd *pfd) {
    for (int i = 0; i < 3; i++) {
        struct stream *s = &streams[i];
        if (s->pi < 0 || s->src < 0) continue;
        short ev = pfd[s->pi].revents;
        if (s->polled_dst) {
            if (!(ev & (POLLOUT | POLLERR | POLLHUP))) continue;
            s->dst_full = 0;
            if (s->len > s->off) flush(s);
        } else if (ev & (POLLIN | POLLHUP | POLLERR)) {
            transfer(s);
        }
    }
}

int stdio_open(void) {
    return streams[OUT].src >= 0 || streams[ERR].src >= 0;
}

int stdio_pending(void) {
    for (int i = OUT; i <= ERR; i++) {
        struct stream *s = &streams[i];
        int avail = 0;
        if (s->src < 0) continue;
        if (s->len > s->off || (ioctl(s->src, FIONREAD, &avail) == 0 && avail > 0)) return 1;
    }
    return 0;
}
