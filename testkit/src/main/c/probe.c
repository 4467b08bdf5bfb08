/*
 * probe: a static program that tests put inside a container to try what a confined container must not do.
 * Usage: probe CHECK...   (no CHECK: all of them). Each check prints one line, "NAME: allowed" or
 * "NAME: refused (ERRNO-NAME)", and the probe exits 0 whatever the outcome, so a test reads the lines.
 *   keyring NAME     searches the session keyring for a "user" key with description NAME: "allowed" means found
 *   add_key          adds a "user" key to the session keyring
 *   keyctl           asks for the id of the session keyring
 *   perf_event_open  opens a software cpu-clock counter on itself
 *   unshare_user     unshare(CLONE_NEWUSER)
 *   mknod_open PATH MAJOR MINOR   makes a char device node and opens it for reading
 *   chmod_stdout     chmod 04777 on /proc/self/fd/1
 *   chown_stdout     chown 0:0 on /proc/self/fd/1
 *   fd_is_pipe N     "allowed" when descriptor N is a pipe, "refused (ENOTPIPE)" otherwise (ENOTPIPE is not
 *                    an errno: the word is printed as it is)
 *   mknod_open_write PATH MAJOR MINOR   as mknod_open, opening for writing (/dev/kmsg: no CAP_SYSLOG needed)
 *   add_session_key NAME SECONDS  adds a "user" key NAME, expiring after SECONDS, to the session keyring that
 *                    its children search: its own, or the user session keyring when it has none (a search falls
 *                    back to that one, while add_key to @s would make a new keyring that ends with the probe)
 *   without_openat2 PROGRAM ARGS...   runs PROGRAM under a seccomp filter that fails openat2 with ENOSYS, as a
 *                    kernel older than 5.6 would (for the fallback paths of the native stage); prints only when
 *                    it cannot
 *   clone3           clone3(NULL, 0): refused (EINVAL) by the kernel itself, (ENOSYS) under Docker's seccomp profile
 *   syscall NR       the system call numbered NR, all arguments zero; prints syscall_NR: ...
 *   mkdir PATH       mkdir PATH 0755
 *   console_recv SOCKET INPUT   (on the host) listens on the unix socket SOCKET, prints "listening", takes one
 *                    descriptor sent over it (a runtime's --console-socket), prints "console: NAME" (the data sent
 *                    with it), writes INPUT and a newline to it, then copies what it reads to stdout until its end
 *                    or for at most 10 s
 *   chroot_escape PATH  the classic way out of a chroot (a chroot below, ".." up from outside it, a chroot
 *                    there): allowed when PATH is then found
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *errname(int e) {
    switch (e) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOSYS: return "ENOSYS";
    case ENOKEY: return "ENOKEY";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EROFS: return "EROFS";
    case EDQUOT: return "EDQUOT";
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case EKEYREVOKED: return "EKEYREVOKED";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "errno %d", e);
        return buf;
    }
    }
}

static void report(const char *name, long rc) {
    if (rc >= 0) printf("%s: allowed\n", name);
    else printf("%s: refused (%s)\n", name, errname(errno));
    fflush(stdout);
}

static void console_recv(const char *path, const char *input);
static void udp_echo(int port);

static int run(const char *check, char **arg, int nargs) {
    if (strcmp(check, "keyring") == 0 && nargs >= 1) {
        report("keyring", syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", arg[0], 0));
        return 1;
    }
    if (strcmp(check, "add_key") == 0) {
        report("add_key", syscall(SYS_add_key, "user", "dcont-probe", "x", 1, KEY_SPEC_SESSION_KEYRING));
        return 0;
    }
    if (strcmp(check, "keyctl") == 0) {
        report("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
        return 0;
    }
    if (strcmp(check, "perf_event_open") == 0) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.type = PERF_TYPE_SOFTWARE;
        a.size = sizeof a;
        a.config = PERF_COUNT_SW_CPU_CLOCK;
        a.disabled = 1;
        a.exclude_kernel = 1;
        a.exclude_hv = 1;
        report("perf_event_open", syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
        return 0;
    }
    if (strcmp(check, "unshare_user") == 0) {
        report("unshare_user", unshare(CLONE_NEWUSER));
        return 0;
    }
    if (strcmp(check, "mknod_open") == 0 && nargs >= 3) {
        unlink(arg[0]);
        if (mknod(arg[0], S_IFCHR | 0600, makedev(atoi(arg[1]), atoi(arg[2]))) < 0) {
            report("mknod", -1);
        } else {
            report("mknod", 0);
            report("open", open(arg[0], O_RDONLY | O_NONBLOCK));
        }
        return 3;
    }
    if (strcmp(check, "chmod_stdout") == 0) {
        report("chmod_stdout", chmod("/proc/self/fd/1", 04777));
        return 0;
    }
    if (strcmp(check, "chown_stdout") == 0) {
        report("chown_stdout", chown("/proc/self/fd/1", 0, 0));
        return 0;
    }
    if (strcmp(check, "fd_is_pipe") == 0 && nargs >= 1) {
        struct stat st;
        if (fstat(atoi(arg[0]), &st) == 0 && S_ISFIFO(st.st_mode)) printf("fd_is_pipe %s: allowed\n", arg[0]);
        else printf("fd_is_pipe %s: refused (ENOTPIPE)\n", arg[0]);
        fflush(stdout);
        return 1;
    }
    if (strcmp(check, "mknod_open_write") == 0 && nargs >= 3) {
        unlink(arg[0]);
        if (mknod(arg[0], S_IFCHR | 0600, makedev(atoi(arg[1]), atoi(arg[2]))) < 0) {
            report("mknod", -1);
        } else {
            report("mknod", 0);
            report("open_write", open(arg[0], O_WRONLY | O_NONBLOCK));
        }
        return 3;
    }
    if (strcmp(check, "add_session_key") == 0 && nargs >= 2) {
        /* without "create", the id of the keyring a search of @s goes through, without making one */
        long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
        if (id >= 0) id = syscall(SYS_add_key, "user", arg[0], "secret", 6, (int)id);
        if (id >= 0) id = syscall(SYS_keyctl, KEYCTL_SET_TIMEOUT, id, atoi(arg[1]));
        report("add_session_key", id);
        return 2;
    }
    if (strcmp(check, "without_openat2") == 0 && nargs >= 1) {
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {sizeof f / sizeof *f, f};
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
            report("without_openat2", -1);
            return nargs;
        }
        execv(arg[0], arg);
        report("without_openat2", -1);
        return nargs;
    }
    if (strcmp(check, "clone3") == 0) {
        /* no arguments: the kernel answers EINVAL, a filter's rule answers first (Docker's: ENOSYS) */
        report("clone3", syscall(SYS_clone3, NULL, 0));
        return 0;
    }
    if (strcmp(check, "mkdir") == 0 && nargs >= 1) {
        report("mkdir", mkdir(arg[0], 0755));
        return 1;
    }
    if (strcmp(check, "syscall") == 0 && nargs >= 1) {
        /* a system call by number, with zero arguments: beyond the kernel's table the kernel answers ENOSYS */
        char name[32];
        snprintf(name, sizeof name, "syscall_%s", arg[0]);
        report(name, syscall(strtol(arg[0], NULL, 10), 0, 0, 0, 0, 0, 0));
        return 1;
    }
    if (strcmp(check, "console_recv") == 0 && nargs >= 2) {
        console_recv(arg[0], arg[1]);
        return 2;
    }
    if (strcmp(check, "chroot_escape") == 0 && nargs >= 1) {
        /* the classic way out of a chroot: a chroot into a directory below, with the working directory left
         * above it, then ".." to the top of the mount tree and a chroot there; is PATH there? */
        char dir[] = "/tmp/probe-chroot-XXXXXX";
        long rc = mkdtemp(dir) ? 0 : -1;
        if (rc == 0) rc = chroot(dir);
        for (int k = 0; rc == 0 && k < 64; k++) rc = chdir("..");
        if (rc == 0) rc = chroot(".");
        if (rc == 0) rc = access(arg[0], F_OK);
        report("chroot_escape", rc);
        return 1;
    }
    if (strcmp(check, "udp_echo") == 0 && nargs >= 1) {
        /* busybox's nc has no UDP: receive one datagram on the port and send it back to its sender */
        udp_echo(atoi(arg[0]));
        return 1;
    }
    printf("%s: unknown check\n", check);
    return 0;
}

static void udp_echo(int port) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
        printf("udp_echo: refused (%s)\n", strerror(errno));
        return;
    }
    printf("udp_echo: listening\n");
    fflush(stdout);
    char buf[2048];
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &len);
    if (n < 0) return;
    buf[n] = 0;
    printf("udp_echo: got %s\n", buf);
    fflush(stdout);
    sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
    close(s);
}

static void console_recv(const char *path, const char *input) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    unlink(path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 1) < 0) {
        printf("console_recv: refused (%s)\n", strerror(errno));
        return;
    }
    printf("listening\n");
    fflush(stdout);
    int c = accept(s, NULL, NULL);
    char name[256] = {0};
    struct iovec iov = {name, sizeof name - 1};
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    if (c < 0 || recvmsg(c, &msg, 0) < 0) {
        printf("console_recv: refused (%s)\n", strerror(errno));
        return;
    }
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    int fd = -1;
    if (cm && cm->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    printf("console: %s\n", fd >= 0 ? name : "(no descriptor)");
    fflush(stdout);
    if (fd < 0) return;
    if (write(fd, input, strlen(input)) < 0 || write(fd, "\n", 1) < 0) return;
    char buf[4096];
    for (int waited = 0; waited < 100;) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r == 0) { waited++; continue; }
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        fwrite(buf, 1, (size_t)n, stdout);
        fflush(stdout);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        const char *all[] = {"add_key", "keyctl", "perf_event_open", "unshare_user"};
        for (size_t i = 0; i < sizeof all / sizeof *all; i++) run(all[i], NULL, 0);
        return 0;
    }
    for (int i = 1; i < argc;) {
        int used = run(argv[i], argv + i + 1, argc - i - 1);
        i += 1 + used;
    }
    return 0;
}
