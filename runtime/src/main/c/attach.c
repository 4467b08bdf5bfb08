/*
 * The attach socket of a detached container ("attach" in its state directory, which only root may enter), as
 * conmon's: every client gets the container's output from the moment it connected, as the records the log holds
 * (monitor.c), and sends frames of a kind byte, a length (4 bytes, big-endian) and that many bytes: 'i' is input,
 * the container's when it was started with one open (run -d -i: its stdin pipe, or its terminal with -t); 'w' is
 * the client's window size (rows and columns, 2 bytes each, big-endian), which a terminal container's pty takes.
 * A client's end of input ends only its own: the container's stays open for the next one, as Docker's for a
 * container whose stdin is not "once". The socket is bound and reached through /proc/self/fd/N/attach, N a
 * descriptor of the state directory, so that a state directory deeper than a socket address allows (108 bytes)
 * still works.
 */
#include "stage.h"

#define MAX_CLIENTS 8
#define CLIENT_SNDBUF (4 << 20)
#define FRAME_HEAD 5
#define FRAME_MAX 65536

static int listen_fd = -1;
static int clients[MAX_CLIENTS] = {-1, -1, -1, -1, -1, -1, -1, -1};
static int reading[MAX_CLIENTS]; /* the client's input has not ended */
static char *pending[MAX_CLIENTS]; /* bytes of a frame not yet whole */
static size_t pending_len[MAX_CLIENTS];
static int listen_pi = -1, client_pi[MAX_CLIENTS];

static int dir_path(char *buf, size_t size, int *dirfd) {
    *dirfd = open(state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*dirfd < 0) return -1;
    snprintf(buf, size, "/proc/self/fd/%d/attach", *dirfd);
    return 0;
}

void attach_listen(void) {
    if (!state_dir) return;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int dirfd;
    if (dir_path(a.sun_path, sizeof a.sun_path, &dirfd) < 0) monitor_fail("open the state directory for the attach socket");
    unlink(a.sun_path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(listen_fd, MAX_CLIENTS) < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "attach socket: %s", strerror(errno));
        monitor_fail(msg);
    }
    close(dirfd);
}

static void drop(int i) {
    close(clients[i]);
    clients[i] = -1;
    free(pending[i]);
    pending[i] = NULL;
    pending_len[i] = 0;
}

/* Acts on client i's whole frames; keeps the start of one not yet whole. False for a frame no client sends. */
static int frames(int i, int input_fd, int terminal_fd) {
    char *b = pending[i];
    size_t at = 0, len = pending_len[i];
    while (len - at >= FRAME_HEAD) {
        uint32_t n = ((uint32_t)(unsigned char)b[at + 1] << 24) | ((uint32_t)(unsigned char)b[at + 2] << 16)
                   | ((uint32_t)(unsigned char)b[at + 3] << 8) | (uint32_t)(unsigned char)b[at + 4];
        if (n > FRAME_MAX) return 0;
        if (len - at - FRAME_HEAD < n) break;
        const char *data = b + at + FRAME_HEAD;
        if (b[at] == 'i') {
            if (input_fd >= 0 && write_all(input_fd, data, n) < 0) { /* the container closed its input */ }
        } else if (b[at] == 'w' && n == 4) {
            struct winsize ws = {.ws_row = (unsigned short)(((unsigned char)data[0] << 8) | (unsigned char)data[1]),
                                 .ws_col = (unsigned short)(((unsigned char)data[2] << 8) | (unsigned char)data[3])};
            /* the kernel tells the terminal's foreground process group (SIGWINCH) */
            if (terminal_fd >= 0) ioctl(terminal_fd, TIOCSWINSZ, &ws);
        } else {
            return 0;
        }
        at += FRAME_HEAD + n;
    }
    memmove(b, b + at, len - at);
    pending_len[i] = len - at;
    return 1;
}

int attach_poll_set(struct pollfd *pfd) {
    int n = 0;
    listen_pi = -1;
    if (listen_fd >= 0) {
        listen_pi = n;
        pfd[n++] = (struct pollfd){listen_fd, POLLIN, 0};
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_pi[i] = -1;
        if (clients[i] >= 0 && reading[i]) {
            client_pi[i] = n;
            pfd[n++] = (struct pollfd){clients[i], POLLIN, 0};
        }
    }
    return n;
}

/* Takes new clients and what they sent: input into input_fd (the container's stdin or terminal; -1: dropped),
 * window sizes to terminal_fd (-1: none). */
void attach_handle(const struct pollfd *pfd, int input_fd, int terminal_fd) {
    if (listen_pi >= 0 && (pfd[listen_pi].revents & POLLIN)) {
        int c;
        while ((c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
            int i = 0;
            while (i < MAX_CLIENTS && clients[i] >= 0) i++;
            char *buf = i < MAX_CLIENTS ? malloc(FRAME_HEAD + FRAME_MAX) : NULL;
            if (!buf) { close(c); continue; }
            int size = CLIENT_SNDBUF;
            setsockopt(c, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
            clients[i] = c;
            reading[i] = 1;
            pending[i] = buf;
            pending_len[i] = 0;
        }
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (client_pi[i] < 0 || clients[i] < 0 || !(pfd[client_pi[i]].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t got = read(clients[i], pending[i] + pending_len[i], FRAME_HEAD + FRAME_MAX - pending_len[i]);
        if (got > 0) {
            pending_len[i] += (size_t)got;
            if (!frames(i, input_fd, terminal_fd)) drop(i);
        } else if (got == 0) {
            reading[i] = 0; /* its input ended; it still gets the output */
        } else if (errno != EAGAIN && errno != EINTR) {
            drop(i);
        }
    }
}

/* One output record to every client; one that cannot take it whole now is dropped rather than make the
 * container wait (its buffer holds megabytes: only a client that stopped reading is). */
void attach_send(const char *rec, size_t n) {
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i] < 0) continue;
        ssize_t w = send(clients[i], rec, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w != (ssize_t)n) drop(i);
    }
}

/* The container has ended and its output is out: the socket goes, and the clients see the end. */
void attach_close(void) {
    if (listen_fd < 0) return;
    close(listen_fd);
    listen_fd = -1;
    char path[64];
    int dirfd;
    if (dir_path(path, sizeof path, &dirfd) == 0) {
        unlink(path);
        close(dirfd);
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i] >= 0) drop(i);
    }
}
