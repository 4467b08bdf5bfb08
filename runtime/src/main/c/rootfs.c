/* Directories, masks and read-only binds inside the container root. */
#include "stage.h"

void mkdir_all(const char *path, mode_t mode) {
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

void mask_path(const char *path) {
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

void readonly_path(const char *path) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return;
        die_child("bind %s", path);
    }
    if (mount(path, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REC, NULL) < 0)
        die_child("remount %s read-only", path);
}
