/*
 * volt-landlock: the first process of a Volt workload. Shared declarations of its parts:
 *
 *   report.c    status records (--status-fd), messages on stderr, sd_notify STATUS=, fatal errors
 *   policy.c    reading input files and the policy format (version 2: the policy as asked)
 *   landlock.c  the running kernel's ABI, the downgrade by compatibility mode, rule paths, the ruleset
 *   network.c   host0's address and default route (rtnetlink), Volt's resolv.conf on a read-only root
 *   init.c      PID 1 duties: run the command as a child, forward signals, reap, pass the exit status on
 *   main.c      the command line and the order of the steps
 */
#ifndef VOLT_HELPER_H
#define VOLT_HELPER_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>

/* Exit codes of the helper's own: 125 setup failure, 126 command not executable, 127 command not found. */
#define EXIT_SETUP 125

/* ── report.c ──────────────────────────────────────────────────────────────────────────────────────── */

/* Sets the status descriptor (-1: none; then what weakens the policy goes to stderr). */
void report_use_status_fd(int fd);
int report_has_status_fd(void);
/* Adds one status record of one to three NUL-terminated tokens (b and c may be NULL). */
void status(const char *a, const char *b, const char *c);
void status_number(const char *kind, uint64_t value);
/* Sends the buffered records. */
void status_flush(void);
/* Flushes and closes the status descriptor: from then on, errors go to stderr. */
void status_close(void);
/* Flushes, waits for the reader's one-byte acknowledgement, then closes the status descriptor. */
void status_wait_for_ack(void);
/* A line on stderr, prefixed `volt-landlock: `. */
__attribute__((format(printf, 1, 2))) void say(const char *format, ...);
/* Sends `STATUS=text` to the service manager (systemd-nspawn's notify socket), when there is one. */
void notify_status(const char *text);
/* Reports an error on the status descriptor, or on stderr without one, then exits with `code`. */
__attribute__((noreturn, format(printf, 3, 4))) void die(int code, const char *kind, const char *format, ...);
/* The error kind for an errno: not-found, permission-denied or system. */
const char *errno_kind(int error);

/* A growing text buffer (for messages of unknown length); exits on allocation failure. */
struct text {
  char *data;
  size_t used;
  size_t capacity;
};
__attribute__((format(printf, 2, 3))) void text_add(struct text *text, const char *format, ...);
/* The text, or "" when nothing was added. */
const char *text_get(const struct text *text);

/* ── policy.c ─────────────────────────────────────────────────────────────────────────────────────── */

enum compatibility { BEST_EFFORT, SOFT_REQUIREMENT, HARD_REQUIREMENT };
enum feature_kind { KIND_FS, KIND_NET, KIND_SCOPE, KIND_LOG_FLAG, KIND_THREAD_SYNC };

/* One right, scope or flag the policy asks for, with the first ABI that has it. */
struct feature {
  enum feature_kind kind;
  uint64_t bit;
  int abi;
  const char *kernel; /* the first Linux release with that ABI, e.g. "6.2" */
  const char *name;   /* as reported: fs:refer, net:bind-tcp, scope:signal, log-flag:…, thread-sync */
  const char *note;   /* appended to the reason when it is dropped, may be "" */
};

struct path_rule {
  uint64_t access;
  int optional;
  const char *path;
};

struct port_rule {
  uint64_t access;
  uint64_t port;
};

struct policy {
  enum compatibility compatibility;
  int mask_file_rights;
  uint64_t file_rights;
  struct feature *features;
  size_t feature_count;
  struct path_rule *paths;
  size_t path_count;
  struct port_rule *ports;
  size_t port_count;
};

const char *compatibility_name(enum compatibility compatibility);
/* Reads a whole file or descriptor (at most 16 MiB); exits with an error naming `what`. */
char *read_file(const char *path, size_t *size, const char *what);
char *read_all(int fd, size_t *size, const char *what);
/* Parses the policy bytes; the policy points into `data`, which must outlive it. Exits on any error. */
void parse_policy(char *data, size_t size, struct policy *policy);

/* ── landlock.c ───────────────────────────────────────────────────────────────────────────────────── */

struct kernel {
  int abi;                 /* the ABI the decisions use (0: no Landlock) */
  int errata;
  int real_abi;            /* what the kernel said (differs from abi only under --emulate-abi) */
  const char *unavailable; /* why Landlock cannot be used, or NULL */
};

/* What one policy becomes on one kernel. */
struct resolution {
  uint64_t fs, net, scoped;
  uint32_t restrict_flags;
  int enforces;           /* something is left to restrict */
  const char *enforcement; /* fully, partially or not */
  struct text summary;    /* one line for the service manager and the journal */
  size_t dropped;         /* rights, scopes, flags and rules dropped by the downgrade */
  size_t skipped;         /* rule paths skipped or cut when they were opened */
  int ruleset;            /* the ruleset descriptor, -1 when nothing is enforced */
};

void probe_kernel(struct kernel *kernel);
/* Drops what the kernel lacks, by the policy's compatibility mode; exits (unsupported) when the mode refuses. */
void resolve_policy(struct policy *policy, const struct kernel *kernel, struct resolution *resolution);
/* Opens every rule path (never through a symlink) and builds the ruleset. */
void build_ruleset(const struct policy *policy, const struct kernel *kernel, struct resolution *resolution);
/* no_new_privs (when asked) and landlock_restrict_self. */
void restrict_self(struct resolution *resolution);

/* ── network.c ────────────────────────────────────────────────────────────────────────────────────── */

struct address {
  int family;
  unsigned char bytes[16];
  int prefix; /* -1 for a gateway */
  const char *text;
};

void parse_address(const char *text, int with_prefix, struct address *address);
/* Brings lo and host0 up, adds the addresses to host0 and a default route through each gateway. */
void configure_host0(const struct address *addresses, size_t address_count, const struct address *gateways,
                     size_t gateway_count, struct text *summary);
/* Binds `source` over /etc/resolv.conf when the image has one; says so either way. */
void bind_resolv_conf(const char *source, struct text *summary);

/* ── init.c ───────────────────────────────────────────────────────────────────────────────────────── */

/* Runs `start(command)` in a child and stays as its init: forwards signals, reaps every child, and exits with
 * the command's status (128 + N when signal N ended it). */
__attribute__((noreturn)) void run_as_init(char **command, void (*start)(char **command));

#endif
