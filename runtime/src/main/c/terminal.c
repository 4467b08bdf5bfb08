/* The container's pty (opened inside it, master handed to the monitor) and the caller's terminal. */
#include "stage.h"

/* Sends descriptor fd over the unix socket sock (SCM_RIGHTS) with the bytes of name as the message (runc's
 * console socket gets the terminal's name so). Returns sendmsg's result. */
int send_fd_named(int sock, int fd, const char *name) {
    struct iovec iov = {(void *)name, strlen(name)};
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
    return (int)sendmsg(sock, &msg, 0);
}

void send_fd(int sock, int fd) {
    if (send_fd_named(sock, fd, "p") < 0) die_child("send pty master");
}

/* Receives one byte into *byte and, when one came with it (SCM_RIGHTS), a descriptor into *fd (else -1).
 * Returns recvmsg's result. */
ssize_t recv_byte_fd(int sock, char *byte, int *fd) {
    struct iovec iov = {byte, 1};
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    *fd = -1;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (c && c->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(c), sizeof(int));
    return n;
}

int recv_fd(int sock) {
    char dummy;
    int fd;
    return recv_byte_fd(sock, &dummy, &fd) > 0 ? fd : -1;
}

void setup_pty(void) {
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

struct termios saved_tio;
int tio_saved;
pid_t saved_fg_pgrp = -1;

void restore_terminal(void) {
    if (tio_saved) tcsetattr(0, TCSADRAIN, &saved_tio);
    tio_saved = 0;
    if (saved_fg_pgrp > 0) {
        signal(SIGTTOU, SIG_IGN);
        tcsetpgrp(0, saved_fg_pgrp);
        saved_fg_pgrp = -1;
    }
}

void copy_winsize(int master) {
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}
