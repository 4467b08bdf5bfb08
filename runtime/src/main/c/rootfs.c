/*
 * Paths inside the container root. The plan names them relative to the root; each is resolved when it is used,
 * after the mounts before it (so that a volume cannot plant a way out for a later target), and used through the
 * descriptor that the resolution returned, never as a string joined to the root:
 *   - openat2(root, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): absolute symlinks and ".." stay inside the
 *     root (an image's /dev -> /host/dir lands in <root>/host/dir, as with runc and crun), and a /proc magic link
 *     on the way (/proc/self/root, /proc/1/cwd, ...) is refused;
 *   - without openat2 (kernels before 5.6), and to make what is missing, walk() does the same by hand.
 * Mounts go onto "/proc/self/fd/N" of the target's descriptor; device nodes and /dev links are made with the *at
 * calls on the descriptor of their directory. After pivot_root the masked and read-only paths are resolved from
 * the new root the same way.
 */
#include "stage.h"
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/statfs.h>

#define MAX_LINKS 40    /* the kernel's limit */
#define MAX_DEPTH 256

enum make { MAKE_NOTHING, MAKE_DIR, MAKE_FILE };

static int root_fd = -1;
static int no_openat2;          /* the kernel has none: walk() does its work */
static char via[PATH_MAX];      /* the container path of the magic link that stopped the last resolution */

/*
 * The walk from `root` (AT_FDCWD: the process's root) through `path`, one component at a time with O_PATH |
 * O_NOFOLLOW. A symlink is read and its target walked in its place, from the root when it is absolute; ".." goes
 * back one directory of the walk and never above the root; a /proc magic link (a procfs link to an absolute path
 * or to an anonymous object: the kernel's own links are relative, "self" -> "42") ends the walk with ELOOP and its
 * path in `via`. What is missing is made when asked: directories on the way (0755), the last component as a
 * directory or an empty file with `mode`. Returns an O_PATH descriptor, or -1 and errno.
 */
static int walk(int root, const char *path, enum make make, mode_t mode) {
    int fds[MAX_DEPTH + 1];
    size_t lens[MAX_DEPTH + 1];
    char where[PATH_MAX] = "", rest[2 * PATH_MAX], next[2 * PATH_MAX], link[PATH_MAX], name[NAME_MAX + 1];
    int depth = 0, links = 0, fd = -1, err;
    fds[0] = root == AT_FDCWD ? open("/", O_PATH | O_DIRECTORY | O_CLOEXEC) : root;
    if (fds[0] < 0) return -1;
    lens[0] = 0;
    if (snprintf(rest, sizeof rest, "%s", path) >= (int)sizeof rest) { errno = ENAMETOOLONG; goto fail; }
    char *p = rest;
    for (;;) {
        while (*p == '/') p++;
        if (!*p) break;
        char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (len > NAME_MAX) { errno = ENAMETOOLONG; goto fail; }
        memcpy(name, p, len);
        name[len] = 0;
        p = end;
        int last = p[strspn(p, "/")] == 0;
        if (strcmp(name, ".") == 0) continue;
        if (strcmp(name, "..") == 0) {
            if (depth > 0) { close(fds[depth--]); where[lens[depth]] = 0; }
            continue;
        }
        fd = openat(fds[depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && make != MAKE_NOTHING) {
            int made;
            if (!last || make == MAKE_DIR) {
                made = mkdirat(fds[depth], name, last ? mode : 0755);
            } else {
                made = openat(fds[depth], name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
                if (made >= 0) made = close(made);
            }
            if (made < 0 && errno != EEXIST) goto fail;
            fd = openat(fds[depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) goto fail;
        struct stat st;
        if (fstat(fd, &st) < 0) goto fail;
        if (S_ISLNK(st.st_mode)) {
            struct statfs sf;
            ssize_t n = readlinkat(fd, "", link, sizeof link - 1);
            if (n < 0 || fstatfs(fd, &sf) < 0) goto fail;
            link[n] = 0;
            close(fd);
            fd = -1;
            if ((unsigned long)sf.f_type == PROC_SUPER_MAGIC && (link[0] == '/' || strchr(link, ':'))) {
                snprintf(via, sizeof via, "%s/%s", where, name);
                errno = ELOOP;
                goto fail;
            }
            if (++links > MAX_LINKS) { errno = ELOOP; goto fail; }
            if (snprintf(next, sizeof next, "%s/%s", link, p) >= (int)sizeof next) { errno = ENAMETOOLONG; goto fail; }
            memcpy(rest, next, strlen(next) + 1);
            p = rest;
            if (link[0] == '/') {
                while (depth > 0) close(fds[depth--]);
                where[0] = 0;
            }
            continue;
        }
        if (!last && !S_ISDIR(st.st_mode)) { errno = ENOTDIR; goto fail; }
        if (depth == MAX_DEPTH) { errno = ENAMETOOLONG; goto fail; }
        fds[++depth] = fd;
        fd = -1;
        size_t w = lens[depth - 1];
        lens[depth] = w + (size_t)snprintf(where + w, sizeof where - w, "/%s", name);
        if (lens[depth] >= sizeof where) lens[depth] = sizeof where - 1;
    }
    if (depth == 0) return root == AT_FDCWD ? fds[0] : fcntl(root, F_DUPFD_CLOEXEC, 0);
    fd = fds[depth--];
    while (depth > 0) close(fds[depth--]);
    if (root == AT_FDCWD) close(fds[0]);
    return fd;
fail:
    err = errno;
    if (fd >= 0) close(fd);
    while (depth > 0) close(fds[depth--]);
    if (root == AT_FDCWD) close(fds[0]);
    errno = err;
    return -1;
}

static int openat2_in(int root, const char *path) {
    struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_NO_MAGICLINKS | (root == AT_FDCWD ? 0 : RESOLVE_IN_ROOT)};
    int fd, tries = 0;
    /* EAGAIN: a rename or mount elsewhere on the system raced a ".." of this lookup */
    do fd = (int)syscall(SYS_openat2, root, path, &how, sizeof how);
    while (fd < 0 && errno == EAGAIN && ++tries < 64);
    return fd;
}

/* The common case of a missing target: its directory is there, and the last component is made in it. Any other
 * case (a dangling symlink, missing directories, "..") is left to walk(): -1. */
static int make_in_parent(int root, const char *path, enum make make, mode_t mode) {
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return -1;
    if (snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".")
        >= (int)sizeof dir)
        return -1;
    int parent = openat2_in(root, dir), fd = -1, made;
    if (parent < 0) return -1;
    if (make == MAKE_DIR) {
        made = mkdirat(parent, name, mode);
    } else {
        made = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (made >= 0) made = close(made);
    }
    if (made == 0) fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    close(parent);
    return fd;
}

/*
 * `path` resolved in `root` (AT_FDCWD after pivot_root: the process's root, which is the container's), making
 * what is missing when asked: an O_PATH descriptor, or -1 and errno (ELOOP with `via` set when a /proc magic link
 * was in the way). One openat2 when the path exists.
 */
static int resolve(int root, const char *path, enum make make, mode_t mode) {
    via[0] = 0;
    if (!no_openat2) {
        int fd = openat2_in(root, path);
        if (fd >= 0) return fd;
        if (errno == ENOSYS || errno == E2BIG || errno == EPERM) {
            /* no openat2, or one that a seccomp filter refuses (an O_PATH lookup needs no permission) */
            no_openat2 = 1;
        } else if (errno == ELOOP || errno == EXDEV) {
            /* refused: walk (making nothing) to name the magic link in the message */
            int e = errno, w = walk(root, path, MAKE_NOTHING, 0);
            if (w >= 0) close(w);
            errno = via[0] ? ELOOP : e;
            return -1;
        } else if (errno != ENOENT || make == MAKE_NOTHING) {
            return -1;
        } else if ((fd = make_in_parent(root, path, make, mode)) >= 0) {
            return fd;
        }
    }
    return walk(root, path, make, mode);
}

/* Dies with one line naming the path; a way out of the root is refused in words, not as an errno. */
static void fail_path(const char *what, const char *path) __attribute__((noreturn));
static void fail_path(const char *what, const char *path) {
    const char *slash = path[0] == '/' ? "" : "/";
    if (errno == ELOOP && via[0]) {
        errno = 0;
        die_child("%s %s%s leads out of the container root (via %s): refused", what, slash, path, via);
    }
    if (errno == EXDEV) {
        errno = 0;
        die_child("%s %s%s leads out of the container root: refused", what, slash, path);
    }
    die_child("%s %s%s", what, slash, path);
}

static void fd_path(char *buf, size_t size, int fd) {
    snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/*
 * MKDIR or TOUCH of a mount target comes right before its mount, and the devices and links of /dev come one after
 * the other: the last descriptor resolved is kept for the next step on the same path (the mount, the next node in
 * the same directory), so that a target costs one resolution. A mount drops it.
 */
static int made_fd = -1;
static char made_path[PATH_MAX];

static void keep_made(int fd, const char *path) {
    if (made_fd >= 0) close(made_fd);
    made_fd = -1;
    if (snprintf(made_path, sizeof made_path, "%s", path) < (int)sizeof made_path) made_fd = fd;
    else close(fd);
}

static int take_made(const char *path) {
    int fd = made_fd;
    made_fd = -1;
    if (fd >= 0 && strcmp(path, made_path) == 0) return fd;
    if (fd >= 0) close(fd);
    return -1;
}

void open_root(const char *path) {
    keep_made(-1, "");
    root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) die_child("open the container root %s", path);
}

void close_root(void) {
    if (root_fd >= 0) close(root_fd);
    root_fd = -1;
    keep_made(-1, "");
}

void mount_in_root(const char *src, const char *path, const char *fstype, unsigned long flags, const char *data) {
    int fd = take_made(path);
    if (fd < 0) fd = resolve(root_fd, path, MAKE_NOTHING, 0);
    if (fd < 0) fail_path("mount target", path);
    char target[64];
    fd_path(target, sizeof target, fd);
    if (mount(src[0] ? src : NULL, target, fstype[0] ? fstype : NULL, flags, data[0] ? data : NULL) < 0)
        die_child("mount %s on /%s (type %s, flags 0x%lx, data %s)", src, path, fstype, flags, data);
    close(fd);
}

void mkdir_in_root(const char *path, mode_t mode) {
    int fd = resolve(root_fd, path, MAKE_DIR, mode);
    if (fd < 0) fail_path("mount target", path);
    keep_made(fd, path);
}

void touch_in_root(const char *path, mode_t mode) {
    int fd = resolve(root_fd, path, MAKE_FILE, mode);
    if (fd < 0) fail_path("mount target", path);
    keep_made(fd, path);
}

/* The directory of `path` resolved in the root (it must exist), and in *name its last component; the descriptor
 * stays kept (keep_made). */
static int parent_in_root(const char *path, const char **name, const char *what) {
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    *name = slash ? slash + 1 : path;
    if (snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".") >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        fail_path(what, path);
    }
    if (!**name || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0) { errno = EINVAL; fail_path(what, path); }
    if (!dir[0]) strcpy(dir, ".");
    if (made_fd >= 0 && strcmp(dir, made_path) == 0) return made_fd;
    int fd = resolve(root_fd, dir, MAKE_NOTHING, 0);
    if (fd < 0) fail_path(what, path);
    keep_made(fd, dir);
    return fd;
}

void mknod_in_root(const char *path, char type, unsigned major, unsigned minor, mode_t mode, uid_t uid, gid_t gid) {
    const char *name;
    int dir = parent_in_root(path, &name, "device");
    /* whatever the image left under that name, inside the resolved directory only */
    unlinkat(dir, name, 0);
    if (mknodat(dir, name, mode | (type == 'b' ? S_IFBLK : S_IFCHR), makedev(major, minor)) < 0)
        die_child("mknod /%s", path);
    if (fchmodat(dir, name, mode, 0) < 0) die_child("chmod /%s", path);
    if (fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) die_child("chown /%s", path);
}

void symlink_in_root(const char *target, const char *path) {
    const char *name;
    int dir = parent_in_root(path, &name, "link");
    if (symlinkat(target, dir, name) < 0 && errno != EEXIST) die_child("symlink /%s -> %s", path, target);
}

void change_dir(const char *path) {
    int fd = resolve(AT_FDCWD, path, MAKE_NOTHING, 0);
    if (fd < 0) fail_path("working directory", path);
    if (fchdir(fd) < 0) die_child("chdir %s", path);
    close(fd);
}

/*
 * After pivot_root. Mounts go onto the descriptor through the container's own /proc when it is a procfs (a
 * container without /proc gets them by name: nothing of it runs yet to swap a path, and the path was just
 * resolved without magic links).
 */
static void target_of(char *buf, size_t size, int fd, const char *path) {
    static int proc_fds = -1;
    if (proc_fds < 0) {
        struct statfs sf;
        proc_fds = statfs("/proc/self/fd", &sf) == 0 && (unsigned long)sf.f_type == PROC_SUPER_MAGIC;
    }
    if (proc_fds) fd_path(buf, size, fd);
    else snprintf(buf, size, "%s", path);
}

/* The source of a file mask: the container's /dev/null, checked to be the null device (a link or another node
 * there would put something else over the masked file). */
static void null_device(char *buf, size_t size, const char *masked) {
    static int fd = -1;
    if (fd < 0) {
        struct stat st;
        fd = resolve(AT_FDCWD, "/dev/null", MAKE_NOTHING, 0);
        if (fd < 0) die_child("masked path %s: /dev/null", masked);
        if (fstat(fd, &st) < 0) die_child("stat /dev/null");
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
            errno = 0;
            die_child("masked path %s: /dev/null is not the null device (1:3): refused", masked);
        }
    }
    target_of(buf, size, fd, "/dev/null");
}

void mask_path(const char *path) {
    int fd = resolve(AT_FDCWD, path, MAKE_NOTHING, 0);
    if (fd < 0) {
        if (errno == ENOENT) return;
        fail_path("masked path", path);
    }
    struct stat st;
    char target[PATH_MAX], null[PATH_MAX];
    if (fstat(fd, &st) < 0) die_child("stat %s", path);
    target_of(target, sizeof target, fd, path);
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0,mode=0755") < 0) die_child("mask %s", path);
    } else {
        null_device(null, sizeof null, path);
        if (mount(null, target, NULL, MS_BIND, NULL) < 0) die_child("mask %s", path);
    }
    close(fd);
}

void readonly_path(const char *path) {
    int fd = resolve(AT_FDCWD, path, MAKE_NOTHING, 0);
    if (fd < 0) {
        if (errno == ENOENT) return;
        fail_path("read-only path", path);
    }
    char target[PATH_MAX];
    target_of(target, sizeof target, fd, path);
    if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0) die_child("bind %s", path);
    close(fd);
    /* the remount applies to the bind just made: resolve again to reach it */
    fd = resolve(AT_FDCWD, path, MAKE_NOTHING, 0);
    if (fd < 0) fail_path("read-only path", path);
    target_of(target, sizeof target, fd, path);
    if (mount(target, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REC,
              NULL) < 0)
        die_child("remount %s read-only", path);
    close(fd);
}
