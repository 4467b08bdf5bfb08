/*
 * runc's --no-pivot: the container root is moved onto "/" (MS_MOVE) and entered with chroot, for where
 * pivot_root cannot work (a host that runs from its initramfs, whose root is a ramfs with no mount above it).
 *
 * The host's mounts stay in the container's mount namespace, out of the root's sight but there: as runc does,
 * every full proc and sysfs mount of the host (root "/" of its file system, not inside the container root) is
 * made a slave and detached first, since the kernel lets a new proc or sysfs be mounted where one is fully
 * visible in the namespace.
 *
 * Step: MOVE_ROOT ROOTFS (a host path; the process's working directory is ROOTFS already).
 */
#include "stage.h"

/* Undoes the octal escapes (\040 for a space, ...) of a mountinfo field, in place. */
static void unescape(char *s) {
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = 0;
}

static int under(const char *path, const char *dir) {
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

static void detach_host_proc_and_sys(const char *rootfs) {
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) die_child("read /proc/self/mountinfo");
    char *line = NULL;
    size_t cap = 0;
    /* the mount points, collected first: unmounting changes the file being read */
    char **points = NULL;
    int n = 0;
    while (getline(&line, &cap, f) > 0) {
        /* ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS */
        char *field[5], *save = NULL, *p = line;
        int k = 0;
        for (; k < 5 && (field[k] = strtok_r(p, " ", &save)); k++) p = NULL;
        if (k < 5) continue;
        char *fstype = NULL, *t;
        while ((t = strtok_r(NULL, " ", &save))) {
            if (strcmp(t, "-") == 0) { fstype = strtok_r(NULL, " ", &save); break; }
        }
        if (!fstype || (strcmp(fstype, "proc") != 0 && strcmp(fstype, "sysfs") != 0)) continue;
        if (strcmp(field[3], "/") != 0) continue;
        unescape(field[4]);
        if (under(field[4], rootfs)) continue;
        char **grown = realloc(points, (size_t)(n + 1) * sizeof *points);
        if (!grown || !(grown[n] = strdup(field[4]))) die_child("out of memory");
        points = grown;
        n++;
    }
    free(line);
    fclose(f);
    /* deepest first, so that a mount under another goes before it */
    for (int i = n - 1; i >= 0; i--) {
        /* a slave first, so that the unmount does not reach the host's namespace */
        if (mount(NULL, points[i], NULL, MS_SLAVE | MS_REC, NULL) < 0) {
            if (errno == ENOENT) continue; /* under one detached already */
            die_child("make %s a slave", points[i]);
        }
        if (umount2(points[i], MNT_DETACH) < 0) {
            if (errno != EINVAL && errno != EPERM) die_child("detach %s", points[i]);
            /* cannot be unmounted here: covered instead */
            if (mount("tmpfs", points[i], "tmpfs", 0, NULL) < 0) die_child("cover %s", points[i]);
        }
    }
}

void move_root(const char *rootfs) {
    detach_host_proc_and_sys(rootfs);
    if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0) die_child("move the container root %s onto /", rootfs);
    if (chroot(".") < 0) die_child("chroot into the container root %s", rootfs);
    if (chdir("/") < 0) die_child("chdir / in the container root");
}
