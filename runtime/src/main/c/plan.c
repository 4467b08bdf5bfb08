/* Reading the plan: NUL-terminated strings, each step NAME ARGC ARGS... (see docs/runtime.md). */
#include "stage.h"

struct op *ops;
int nops;


/*
 * --await LAUNCHER PLAN: the launcher (pid LAUNCHER, our parent) starts this stage before it has computed the
 * plan, so that starting a process (slow from a JVM) overlaps with planning. Wait until the plan file appears
 * (the launcher renames it into place complete); give up if the launcher dies first (we are re-parented) - it
 * kills us itself when planning fails. A short sleep loop, not inotify: closing an inotify descriptor waits
 * for an SRCU grace period, longer than the whole wait usually is.
 */
void await_plan(pid_t launcher, const char *path) {
    useconds_t pause = 50; /* doubling to 200 us: the plan is usually a few ms away */
    while (access(path, F_OK) != 0) {
        if (getppid() != launcher) _exit(EXIT_SETUP);
        usleep(pause);
        if (pause < 200) pause *= 2;
    }
}

void load_plan(const char *path) {
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

int is(const struct op *o, const char *name) { return strcmp(o->name, name) == 0; }
unsigned long long num(const char *s) { return strtoull(s, NULL, 0); }

struct op *find_op(const char *name) {
    for (int i = 0; i < nops; i++) if (is(&ops[i], name)) return &ops[i];
    return NULL;
}
