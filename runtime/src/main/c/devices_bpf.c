/*
 * The device filter of cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program made from the container's device rules
 * and attached to its cgroup, as runc and crun do (v2 has no devices.allow file).
 *
 * Rules come from Java (cgroup.DeviceRules) already reduced: a default (allow or deny) and rules of type c or b,
 * "allow c 1:3 rwm" or "deny b *:* m", in order, the last matching one deciding. The kernel asks about one
 * device and a set of accesses (m r w) at a time; the request is allowed when every access in it is allowed by
 * the last rule that names the device and that access (or, with none, by the default). The program checks each
 * access of the request in turn, walking the rules that carry it from the last to the first:
 *
 *   r2 = type, r3 = access, r4 = major, r5 = minor
 *   for access in m, r, w:
 *     if !(r3 & access) goto next_access
 *     for each rule with access, last first:
 *       if r2 != type goto next_rule; if r4 != major goto next_rule; if r5 != minor goto next_rule (no test for *)
 *       allow: goto next_access          deny: return 0
 *     next_rule:
 *     default deny: return 0
 *   next_access:
 *   return 1
 */
#include "stage.h"
#include <linux/bpf.h>

struct dev_rule {
    int allow;
    int type;          /* BPF_DEVCG_DEV_CHAR or BPF_DEVCG_DEV_BLOCK */
    long long major;   /* -1: any */
    long long minor;   /* -1: any */
    int access;        /* BPF_DEVCG_ACC_* bits */
};

struct prog {
    struct bpf_insn *insn;
    int n, cap;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->insn = realloc(p->insn, p->cap * sizeof *p->insn);
        if (!p->insn) { perror("dcont-init: realloc"); exit(EXIT_SETUP); }
    }
    struct bpf_insn *i = &p->insn[p->n++];
    memset(i, 0, sizeof *i);
    i->code = code;
    i->dst_reg = dst;
    i->src_reg = src;
    i->off = off;
    i->imm = imm;
}

/* "allow c 1:3 rwm": 0, or -1 for a malformed rule */
static int parse_rule(const char *s, struct dev_rule *r) {
    char verdict[8], type, major[16], minor[16], access[8];
    if (sscanf(s, "%7s %c %15[^:]:%15s %7s", verdict, &type, major, minor, access) != 5) return -1;
    if (strcmp(verdict, "allow") == 0) r->allow = 1;
    else if (strcmp(verdict, "deny") == 0) r->allow = 0;
    else return -1;
    if (type == 'c') r->type = BPF_DEVCG_DEV_CHAR;
    else if (type == 'b') r->type = BPF_DEVCG_DEV_BLOCK;
    else return -1;
    const char *nums[2] = {major, minor};
    long long *dst[2] = {&r->major, &r->minor};
    for (int k = 0; k < 2; k++) {
        if (strcmp(nums[k], "*") == 0) { *dst[k] = -1; continue; }
        char *end;
        errno = 0;
        long long v = strtoll(nums[k], &end, 10);
        /* immediates are signed 32-bit and compared as 64-bit values: stay below 2^31 */
        if (errno || *end || end == nums[k] || v < 0 || v > INT32_MAX) return -1;
        *dst[k] = v;
    }
    r->access = 0;
    for (const char *a = access; *a; a++) {
        if (*a == 'm') r->access |= BPF_DEVCG_ACC_MKNOD;
        else if (*a == 'r') r->access |= BPF_DEVCG_ACC_READ;
        else if (*a == 'w') r->access |= BPF_DEVCG_ACC_WRITE;
        else return -1;
    }
    return 0;
}

#define JMP_IMM(op) (BPF_JMP | (op) | BPF_K)

/* Builds the program for DEFAULT ("allow" or "deny") and RULES; 0, or -1 with *bad set to the rule refused. */
static int build(const char *dflt, int nrules, char **rules, struct prog *p, const char **bad) {
    int default_allow;
    if (strcmp(dflt, "allow") == 0) default_allow = 1;
    else if (strcmp(dflt, "deny") == 0) default_allow = 0;
    else { *bad = dflt; return -1; }
    struct dev_rule *r = calloc(nrules + 1, sizeof *r);
    for (int i = 0; i < nrules; i++) {
        if (parse_rule(rules[i], &r[i]) < 0) { *bad = rules[i]; free(r); return -1; }
    }

    emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);        /* access_type */
    emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);            /* type: low 16 bits */
    emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0);
    emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);                /* access: high 16 bits */
    emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);        /* major */
    emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);        /* minor */

    static const int accesses[] = {BPF_DEVCG_ACC_MKNOD, BPF_DEVCG_ACC_READ, BPF_DEVCG_ACC_WRITE};
    int *to_next = malloc((nrules + 1) * sizeof *to_next); /* jumps to patch to the next access's block */
    for (size_t k = 0; k < sizeof accesses / sizeof *accesses; k++) {
        int acc = accesses[k], npatch = 0;
        emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
        emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, acc);
        to_next[npatch++] = p->n;
        emit(p, JMP_IMM(BPF_JEQ), BPF_REG_1, 0, 0, 0);
        for (int i = nrules - 1; i >= 0; i--) {
            if (!(r[i].access & acc)) continue;
            int tests = 1 + (r[i].major >= 0) + (r[i].minor >= 0);
            int verdict = r[i].allow ? 1 : 2;
            /* each test skips what follows it in this rule */
            emit(p, JMP_IMM(BPF_JNE), BPF_REG_2, 0, --tests + verdict, r[i].type);
            if (r[i].major >= 0) emit(p, JMP_IMM(BPF_JNE), BPF_REG_4, 0, --tests + verdict, (int32_t)r[i].major);
            if (r[i].minor >= 0) emit(p, JMP_IMM(BPF_JNE), BPF_REG_5, 0, --tests + verdict, (int32_t)r[i].minor);
            if (r[i].allow) {
                to_next[npatch++] = p->n;
                emit(p, BPF_JMP | BPF_JA, 0, 0, 0, 0);
            } else {
                emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
                emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
            }
        }
        if (!default_allow) {
            emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
            emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        }
        for (int j = 0; j < npatch; j++) {
            int off = p->n - to_next[j] - 1;
            if (off > INT16_MAX) { *bad = "too many rules"; free(to_next); free(r); return -1; }
            p->insn[to_next[j]].off = (int16_t)off;
        }
    }
    emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
    emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    free(to_next);
    free(r);
    return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr) {
    return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

/*
 * DEVICE_FILTER CGROUP-DIR DEFAULT RULE...: loads the program and attaches it to the cgroup (BPF_F_ALLOW_MULTI,
 * so that a program on an ancestor still applies). The cgroup holds the program from then on; it goes with the
 * cgroup. Returns 0, or -1 with a message in err.
 */
int device_filter_attach(const struct op *o, char *err, size_t errlen) {
    if (o->argc < 2) { snprintf(err, errlen, "device filter: bad plan step"); return -1; }
    struct prog p = {0};
    const char *bad = NULL;
    if (build(o->argv[1], o->argc - 2, o->argv + 2, &p, &bad) < 0) {
        snprintf(err, errlen, "device filter: bad rule \"%s\"", bad);
        return -1;
    }
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)p.insn;
    attr.insn_cnt = p.n;
    attr.license = (uint64_t)(uintptr_t)"Apache";
    long fd = sys_bpf(BPF_PROG_LOAD, &attr);
    if (fd < 0 && errno == EPERM) {
        /* before Linux 5.11 programs were charged to RLIMIT_MEMLOCK */
        struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
        if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0) fd = sys_bpf(BPF_PROG_LOAD, &attr);
    }
    if (fd < 0) {
        int e = errno;
        static char log[65536];
        log[0] = 0;
        attr.log_level = 1;
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof log;
        if (sys_bpf(BPF_PROG_LOAD, &attr) >= 0) { /* cannot happen: it failed a moment ago */ }
        for (char *c = log; *c; c++) if (*c == '\n') *c = ' ';
        snprintf(err, errlen, "device filter: load the program (%d instructions): %s%s%.1024s", p.n, strerror(e),
                 log[0] ? ": " : "", log);
        free(p.insn);
        return -1;
    }
    free(p.insn);
    int dir = open(o->argv[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        snprintf(err, errlen, "device filter: open cgroup %s: %s", o->argv[0], strerror(errno));
        close(fd);
        return -1;
    }
    memset(&attr, 0, sizeof attr);
    attr.target_fd = dir;
    attr.attach_bpf_fd = fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    int rc = (int)sys_bpf(BPF_PROG_ATTACH, &attr);
    if (rc < 0) snprintf(err, errlen, "device filter: attach to cgroup %s: %s", o->argv[0], strerror(errno));
    close(dir);
    close(fd);
    return rc < 0 ? -1 : 0;
}

/*
 * --device-filter-dump DEFAULT RULE...: prints the program, one instruction a line ("code dst src off imm", in
 * decimal), for the tests that run it on an interpreter of their own (no root, no kernel involved).
 */
int device_filter_dump(int argc, char **argv) {
    if (argc < 1) { fprintf(stderr, "usage: dcont-init --device-filter-dump DEFAULT RULE...\n"); return EXIT_SETUP; }
    struct prog p = {0};
    const char *bad = NULL;
    if (build(argv[0], argc - 1, argv + 1, &p, &bad) < 0) {
        fprintf(stderr, "dcont-init: device filter: bad rule \"%s\"\n", bad);
        return EXIT_SETUP;
    }
    for (int i = 0; i < p.n; i++)
        printf("%u %u %u %d %d\n", p.insn[i].code, p.insn[i].dst_reg, p.insn[i].src_reg, p.insn[i].off, p.insn[i].imm);
    free(p.insn);
    return 0;
}
