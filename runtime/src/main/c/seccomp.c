/*
 * The seccomp filter. The SECCOMP step (dev.dcont.runtime.launch.SeccompFilter, written by PlanWriter) is
 *   SECCOMP now|exec CACHE-DIR DEFAULT-ACTION FLAGS NARCH ARCH... {ACTION NCOND {INDEX OP VALUE VALUE-TWO}... NNAMES NAME...}...
 * The monitor turns it into a BPF program before clone (prepare_seccomp): libseccomp builds it (seccomp_init,
 * seccomp_arch_add, seccomp_rule_add_array; names this libseccomp does not know are skipped, as runc does) and
 * exports it, and the program is kept in CACHE-DIR for the next container with the same filter, as crun keeps
 * its in .cache/seccomp: building Docker's profile for three architectures takes far more CPU than reading a kept
 * program back. The child loads it with seccomp(2) where the step stands ("now") or, with no_new_privs, right before
 * execve ("exec"), as runc and crun load the program libseccomp exported.
 * A system call newer than the profile (a number above the highest one the profile names for that architecture)
 * gets ENOSYS rather than the default action, as runc's filters do: the C library then falls back to the older
 * call it knows (clone3 to clone, faccessat2 to faccessat), where EPERM would be taken as a real refusal.
 */
#include "stage.h"
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/utsname.h>

#define FLAG_LOG 1
#define FLAG_SPEC_ALLOW 2
#define FLAG_SPEC_ALLOW_IF_SUPPORTED 4
/* names the way filters are built and cached: change it with anything that changes the program for a step */
#define CACHE_FORMAT "dcont-seccomp-bpf 2"
#define CACHE_MAGIC "DCONTBPF"

static struct sock_fprog prog;      /* the program, made by the monitor, loaded by the child */
static unsigned int load_flags;     /* SECCOMP_FILTER_FLAG_* */
static int spec_allow_optional;
static int pending;                 /* loaded by load_seccomp_at_exec */

static void fail(const char *fmt, const char *detail, int err) {
    char msg[512];
    snprintf(msg, sizeof msg, fmt, detail ? detail : "");
    if (err) snprintf(msg + strlen(msg), sizeof msg - strlen(msg), ": %s", strerror(err));
    monitor_fail(msg);
}

static const char *arg(const struct op *o, int *i) {
    if (*i >= o->argc) fail("seccomp: truncated SECCOMP step", NULL, 0);
    return o->argv[(*i)++];
}

/* What the cached program depends on: this format, libseccomp's version, the kernel, and the step from its
 * default action on (not "now"/"exec", not the cache directory). Compared whole, so a hash collision is harmless. */
static char *cache_key(const struct op *o, size_t *len) {
    const struct scmp_version *v = seccomp_version();
    struct utsname u;
    if (uname(&u) < 0) memset(&u, 0, sizeof u);
    size_t cap = 512;
    for (int i = 2; i < o->argc; i++) cap += strlen(o->argv[i]) + 1;
    char *k = malloc(cap);
    int n = snprintf(k, cap, "%s%c%u.%u.%u%c%s%c%s%c%s%c", CACHE_FORMAT, 0, v->major, v->minor, v->micro, 0,
                     u.release, 0, u.version, 0, u.machine, 0);
    size_t at = n < 0 ? 0 : (size_t)n;
    if (at > cap - 1) at = cap - 1;
    for (int i = 2; i < o->argc; i++) {
        size_t l = strlen(o->argv[i]) + 1;
        if (at + l > cap) break;
        memcpy(k + at, o->argv[i], l);
        at += l;
    }
    *len = at;
    return k;
}

static uint64_t fnv1a(const char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    return h;
}

/* The cache is trusted only as a directory and files of ours that nobody else may write. */
static int ours(const struct stat *st) {
    return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static int read_cache(const char *path, const char *key, size_t keylen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return 0;
    struct stat st;
    char *buf = NULL;
    int ok = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ours(&st) && st.st_size > 0 && st.st_size < (1 << 22)) {
        buf = malloc(st.st_size);
        if (pread(fd, buf, st.st_size, 0) == st.st_size) {
            size_t off = sizeof CACHE_MAGIC - 1;
            uint32_t kl, bl;
            if ((size_t)st.st_size >= off + 8 && memcmp(buf, CACHE_MAGIC, off) == 0) {
                memcpy(&kl, buf + off, 4);
                off += 4;
                if (kl == keylen && off + kl + 4 <= (size_t)st.st_size && memcmp(buf + off, key, kl) == 0) {
                    off += kl;
                    memcpy(&bl, buf + off, 4);
                    off += 4;
                    if (off + bl == (size_t)st.st_size && bl > 0 && bl % sizeof(struct sock_filter) == 0
                        && bl / sizeof(struct sock_filter) <= BPF_MAXINSNS) {
                        prog.len = bl / sizeof(struct sock_filter);
                        prog.filter = malloc(bl);
                        memcpy(prog.filter, buf + off, bl);
                        ok = 1;
                    }
                }
            }
        }
    }
    free(buf);
    if (ok) futimens(fd, NULL); /* marks it as used, for trim_cache */
    close(fd);
    return ok;
}

/* Programs kept at most: one per distinct filter, and a machine's containers use few. */
#define CACHE_KEEP 32

/* Keeps the CACHE_KEEP programs used last (a program read from the cache is touched), removing the others. */
static void trim_cache(const char *dir) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dfd < 0) return;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct entry { char name[NAME_MAX + 1]; struct timespec used; } *e = NULL;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (de->d_name[0] == '.' || fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            e = realloc(e, cap * sizeof *e);
        }
        snprintf(e[n].name, sizeof e[n].name, "%s", de->d_name);
        e[n++].used = st.st_mtim;
    }
    while (n > CACHE_KEEP) { /* few entries: remove the oldest one at a time */
        int old = 0;
        for (int i = 1; i < n; i++)
            if (e[i].used.tv_sec < e[old].used.tv_sec
                || (e[i].used.tv_sec == e[old].used.tv_sec && e[i].used.tv_nsec < e[old].used.tv_nsec))
                old = i;
        unlinkat(dfd, e[old].name, 0);
        e[old] = e[--n];
    }
    free(e);
    closedir(d);
}

/* Best effort: a container starts whether or not its program could be kept. */
static void write_cache(const char *dir, const char *path, const char *key, size_t keylen) {
    struct stat st;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) return;
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || !ours(&st)) return;
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof tmp) return;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return;
    uint32_t kl = keylen, bl = prog.len * sizeof(struct sock_filter);
    int ok = write_all(fd, CACHE_MAGIC, sizeof CACHE_MAGIC - 1) == 0 && write_all(fd, (char *)&kl, 4) == 0
             && write_all(fd, key, kl) == 0 && write_all(fd, (char *)&bl, 4) == 0
             && write_all(fd, (char *)prog.filter, bl) == 0 && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) < 0) unlink(tmp);
    else trim_cache(dir);
}

/* The highest system call number a profile names, per architecture, for the ENOSYS stub. */
struct last_nr {
    uint32_t arch;  /* libseccomp's token, the kernel's AUDIT_ARCH value except for x32 */
    long last;      /* -1: the profile names none that this libseccomp knows */
};

#define X32_SYSCALL_BIT 0x40000000u

static long last_of(const struct last_nr *l, int n, uint32_t arch) {
    for (int i = 0; i < n; i++)
        if (l[i].arch == arch) return l[i].last;
    return -1;
}

/*
 * Puts runc's ENOSYS stub in front of the exported program: for each architecture of the profile, a number above
 * its last named one returns ENOSYS; anything else goes on to libseccomp's program. x32 calls arrive with
 * x86_64's audit value and the x32 bit set in the number, so they are told apart there.
 */
static void add_enosys_stub(const struct last_nr *l, int n) {
    struct { uint16_t code; long jt, jf; uint32_t k; } s[1 + 8 * 5 + 2];
    const long E = -2, F = -3; /* targets fixed below: the ENOSYS return and the start of the real program */
    int m = 0;
    s[m++] = (typeof(s[0])){BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch)};
    for (int i = 0; i < n && i < 8; i++) {
        uint32_t a = l[i].arch;
        if (a == SCMP_ARCH_X32) {
            if (last_of(l, n, SCMP_ARCH_X86_64) < 0 && l[i].last >= 0) a = SCMP_ARCH_X86_64; /* x32 alone */
            else continue; /* handled in x86_64's block */
        }
        long native = a == l[i].arch ? l[i].last : -1;
        int x86_64 = a == SCMP_ARCH_X86_64;
        long x32 = x86_64 ? last_of(l, n, SCMP_ARCH_X32) : -1;
        if (native < 0 && x32 < 0) continue;
        int start = m, next = start + (x86_64 ? 5 : 3);
        s[m++] = (typeof(s[0])){BPF_JMP | BPF_JEQ | BPF_K, start + 1, next, a};
        s[m++] = (typeof(s[0])){BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr)};
        if (x86_64) {
            s[m++] = (typeof(s[0])){BPF_JMP | BPF_JSET | BPF_K, start + 3, start + 4, X32_SYSCALL_BIT};
            s[m++] = x32 < 0 ? (typeof(s[0])){BPF_JMP | BPF_JA, 0, 0, 0} : (typeof(s[0])){BPF_JMP | BPF_JGT | BPF_K, E, F, (uint32_t)x32};
            if (x32 < 0) s[m - 1].jt = F;
        }
        s[m++] = native < 0 ? (typeof(s[0])){BPF_JMP | BPF_JA, F, 0, 0} : (typeof(s[0])){BPF_JMP | BPF_JGT | BPF_K, E, F, (uint32_t)native};
    }
    if (m == 1) return;
    s[m++] = (typeof(s[0])){BPF_JMP | BPF_JA, F, 0, 0};
    s[m++] = (typeof(s[0])){BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS};
    long e = m - 1, f = m;
    struct sock_filter *out = malloc((m + prog.len) * sizeof *out);
    for (int i = 0; i < m; i++) {
        long jt = s[i].jt == E ? e : s[i].jt == F ? f : s[i].jt, jf = s[i].jf == E ? e : s[i].jf == F ? f : s[i].jf;
        out[i].code = s[i].code;
        out[i].k = s[i].k;
        out[i].jt = out[i].jf = 0;
        if (s[i].code == (BPF_JMP | BPF_JA)) {
            out[i].k = (uint32_t)(jt - (i + 1));
        } else if (BPF_CLASS(s[i].code) == BPF_JMP) {
            out[i].jt = (uint8_t)(jt - (i + 1));
            out[i].jf = (uint8_t)(jf - (i + 1));
        }
    }
    memcpy(out + m, prog.filter, prog.len * sizeof *out);
    free(prog.filter);
    prog.filter = out;
    prog.len += m;
}

static void build(const struct op *o, int i) {
    uint32_t def = (uint32_t)num(arg(o, &i));
    arg(o, &i); /* flags: given to seccomp(2) when loading */
    scmp_filter_ctx ctx = seccomp_init(def);
    if (!ctx) fail("seccomp: cannot make a filter with default action %s", o->argv[2], 0);
    int narch = (int)num(arg(o, &i)), rc, nlast = 0;
    struct last_nr last[8];
    for (int k = 0; k < narch; k++) {
        const char *name = arg(o, &i);
        uint32_t a = seccomp_arch_resolve_name(name);
        if (a == 0) fail("seccomp: architecture %s is unknown to libseccomp", name, 0);
        rc = seccomp_arch_add(ctx, a);
        if (rc < 0 && rc != -EEXIST) fail("seccomp: add architecture %s", name, -rc);
        if (nlast < 8 && last_of(last, nlast, a) < 0) last[nlast++] = (struct last_nr){a, -1};
    }
    if (nlast == 0) last[nlast++] = (struct last_nr){seccomp_arch_native(), -1};
    /* a binary tree of the rules for long lists, as runc (and its threshold) */
    int rules_at = i, nnames = 0;
    while (i < o->argc) {
        arg(o, &i);
        int ncond = (int)num(arg(o, &i));
        for (int k = 0; k < 4 * ncond; k++) arg(o, &i);
        int n = (int)num(arg(o, &i));
        for (int k = 0; k < n; k++) arg(o, &i);
        nnames += n;
    }
    if (nnames > 32) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    i = rules_at;
    while (i < o->argc) {
        uint32_t action = (uint32_t)num(arg(o, &i));
        int ncond = (int)num(arg(o, &i));
        struct scmp_arg_cmp cmp[6];
        if (ncond < 0 || ncond > 6) fail("seccomp: bad SECCOMP step", NULL, 0);
        for (int k = 0; k < ncond; k++) {
            cmp[k].arg = (unsigned int)num(arg(o, &i));
            cmp[k].op = (enum scmp_compare)num(arg(o, &i));
            cmp[k].datum_a = num(arg(o, &i));
            cmp[k].datum_b = num(arg(o, &i));
        }
        int n = (int)num(arg(o, &i));
        for (int k = 0; k < n; k++) {
            const char *name = arg(o, &i);
            for (int a = 0; a < nlast; a++) {
                int anr = seccomp_syscall_resolve_name_arch(last[a].arch, name);
                if (anr >= 0 && anr > last[a].last) last[a].last = anr; /* negative: none on that architecture */
            }
            int nr = seccomp_syscall_resolve_name(name);
            if (nr == __NR_SCMP_ERROR) continue; /* not a system call this libseccomp knows */
            rc = seccomp_rule_add_array(ctx, action, nr, ncond, cmp);
            if (rc < 0) fail("seccomp: add the rule for %s", name, -rc);
        }
    }
    int mfd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
    if (mfd < 0) fail("seccomp: memfd_create", NULL, errno);
    if ((rc = seccomp_export_bpf(ctx, mfd)) < 0) fail("seccomp: export the filter", NULL, -rc);
    seccomp_release(ctx);
    off_t size = lseek(mfd, 0, SEEK_END);
    if (size <= 0 || size % sizeof(struct sock_filter) != 0) fail("seccomp: export the filter", NULL, EINVAL);
    prog.len = size / sizeof(struct sock_filter);
    prog.filter = malloc(size);
    if (pread(mfd, prog.filter, size, 0) != size) fail("seccomp: read the exported filter", NULL, errno);
    close(mfd);
    /* as runc: not where the default lets everything through or already answers ENOSYS */
    if (def != SCMP_ACT_ALLOW && def != SCMP_ACT_LOG && def != SCMP_ACT_ERRNO(ENOSYS)) add_enosys_stub(last, nlast);
    if (prog.len > BPF_MAXINSNS) fail("seccomp: the filter is longer than the kernel takes", NULL, 0);
}

void prepare_seccomp(void) {
    struct op *o = find_op("SECCOMP");
    if (!o) return;
    int i = 0;
    arg(o, &i);
    const char *dir = arg(o, &i);
    arg(o, &i);
    int flags = (int)num(arg(o, &i));
    if (flags & FLAG_LOG) load_flags |= SECCOMP_FILTER_FLAG_LOG;
    if (flags & (FLAG_SPEC_ALLOW | FLAG_SPEC_ALLOW_IF_SUPPORTED)) load_flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    spec_allow_optional = (flags & FLAG_SPEC_ALLOW_IF_SUPPORTED) && !(flags & FLAG_SPEC_ALLOW);

    size_t keylen = 0;
    char *key = NULL, path[PATH_MAX] = "";
    if (dir[0]) {
        key = cache_key(o, &keylen);
        snprintf(path, sizeof path, "%s/%016llx", dir, (unsigned long long)fnv1a(key, keylen));
        if (read_cache(path, key, keylen)) {
            free(key);
            return;
        }
    }
    build(o, 2);
    if (key) write_cache(dir, path, key, keylen);
    free(key);
}

static void load(void) {
    unsigned int flags = load_flags;
    while (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0) {
        if (errno == EINVAL && spec_allow_optional && (flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW)) {
            flags &= ~SECCOMP_FILTER_FLAG_SPEC_ALLOW; /* a kernel before 4.17 */
            continue;
        }
        die_child("seccomp: load the filter");
    }
}

void start_seccomp(const struct op *o) {
    if (!prog.filter) {
        errno = EINVAL;
        die_child("seccomp: the filter was not prepared");
    }
    if (strcmp(o->argv[0], "exec") == 0) {
        pending = 1;
    } else {
        load();
    }
}

void load_seccomp_at_exec(void) {
    if (pending) {
        load();
        pending = 0;
    }
}
