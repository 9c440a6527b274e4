/*
 * Input files and the policy format, version 2: the policy as asked, NUL-terminated tokens in this order
 * (written by @volt/landlock's renderHelperPolicy):
 *
 *   volt-landlock-policy 2
 *   compatibility best-effort|soft-requirement|hard-requirement
 *   file-rights error|mask   file-rights-mask MASK
 *   feature KIND BIT ABI LINUX NAME NOTE   (KIND: fs, net, scope, log-flag, thread-sync; in that order)
 *   path MASK 0|1 PATH                      (0|1: optional)
 *   port MASK PORT
 *   end
 *
 * Every right, scope and flag comes with the ABI that introduced it, so that this program decides what a
 * kernel lacks without a table of its own. The bytes are untrusted: anything malformed is refused.
 */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT (16u << 20)
#define POLICY_MAGIC "volt-landlock-policy"
#define POLICY_VERSION "2"

static const char *const COMPATIBILITY_NAMES[] = {"best-effort", "soft-requirement", "hard-requirement"};
static const char *const KIND_NAMES[] = {"fs", "net", "scope", "log-flag", "thread-sync"};

const char *compatibility_name(enum compatibility compatibility) { return COMPATIBILITY_NAMES[compatibility]; }

char *read_all(int fd, size_t *size, const char *what) {
  size_t capacity = 4096, used = 0;
  char *buffer = malloc(capacity);
  if (buffer == NULL) die(EXIT_SETUP, "system", "out of memory reading %s", what);
  for (;;) {
    if (used == capacity) {
      if (capacity >= MAX_INPUT) die(EXIT_SETUP, "usage", "%s is larger than %u bytes", what, MAX_INPUT);
      capacity *= 2;
      buffer = realloc(buffer, capacity);
      if (buffer == NULL) die(EXIT_SETUP, "system", "out of memory reading %s", what);
    }
    ssize_t n = read(fd, buffer + used, capacity - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die(EXIT_SETUP, errno_kind(errno), "cannot read %s: %s", what, strerror(errno));
    if (n == 0) break;
    used += (size_t)n;
  }
  *size = used;
  return buffer;
}

char *read_file(const char *path, size_t *size, const char *what) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(EXIT_SETUP, errno_kind(errno), "cannot open %s %s: %s", what, path, strerror(errno));
  char *data = read_all(fd, size, what);
  close(fd);
  return data;
}

struct tokens {
  const char *next;
  const char *end;
};

static const char *token(struct tokens *t) {
  if (t->next >= t->end) die(EXIT_SETUP, "bad-policy", "policy ends early (no 'end' token)");
  const char *start = t->next;
  const char *nul = memchr(start, '\0', (size_t)(t->end - start));
  if (nul == NULL) die(EXIT_SETUP, "bad-policy", "policy token is not NUL-terminated");
  t->next = nul + 1;
  return start;
}

static uint64_t number(struct tokens *t, uint64_t min, uint64_t max) {
  const char *text = token(t);
  uint64_t value = 0;
  if (*text == '\0') die(EXIT_SETUP, "bad-policy", "empty number in policy");
  for (const char *c = text; *c != '\0'; c++) {
    if (*c < '0' || *c > '9' || value > (UINT64_MAX - 9) / 10)
      die(EXIT_SETUP, "bad-policy", "not a number in policy: %.40s", text);
    value = value * 10 + (uint64_t)(*c - '0');
  }
  if (value < min || value > max) die(EXIT_SETUP, "bad-policy", "number out of range in policy: %s", text);
  return value;
}

static void expect(struct tokens *t, const char *key) {
  const char *got = token(t);
  if (strcmp(got, key) != 0) die(EXIT_SETUP, "bad-policy", "expected '%s' in policy, found '%.40s'", key, got);
}

/* The index of the token in `names`. */
static int one_of(struct tokens *t, const char *what, const char *const *names, int count) {
  const char *got = token(t);
  for (int i = 0; i < count; i++)
    if (strcmp(got, names[i]) == 0) return i;
  die(EXIT_SETUP, "bad-policy", "unknown %s in policy: '%.40s'", what, got);
}

/* A token made of printable ASCII (names, kernel versions and notes are shown to people). */
static const char *printable(struct tokens *t, const char *what, int may_be_empty) {
  const char *text = token(t);
  if (*text == '\0' && !may_be_empty) die(EXIT_SETUP, "bad-policy", "empty %s in policy", what);
  for (const char *c = text; *c != '\0'; c++)
    if (*c < 0x20 || *c > 0x7e) die(EXIT_SETUP, "bad-policy", "%s in policy is not printable ASCII", what);
  return text;
}

/* An absolute path without `.` or `..` components (rules name real paths, and never walk upwards). */
static const char *rule_path(struct tokens *t) {
  const char *path = token(t);
  if (path[0] != '/') die(EXIT_SETUP, "bad-policy", "rule path is not absolute: %.80s", path);
  for (const char *c = path; *c != '\0';) {
    while (*c == '/') c++;
    size_t length = strcspn(c, "/");
    if ((length == 1 && c[0] == '.') || (length == 2 && c[0] == '.' && c[1] == '.'))
      die(EXIT_SETUP, "bad-policy", "rule path has a '.' or '..' component: %.80s", path);
    c += length;
  }
  return path;
}

static void *grow(void *items, size_t count, size_t size) {
  /* Capacity doubles at powers of two: grow when count is 0 or a power of two. */
  if (count != 0 && (count & (count - 1)) != 0) return items;
  void *grown = realloc(items, (count == 0 ? 1 : count * 2) * size);
  if (grown == NULL) die(EXIT_SETUP, "system", "out of memory reading the policy");
  return grown;
}

static uint64_t asked_mask(const struct policy *policy, enum feature_kind kind) {
  uint64_t mask = 0;
  for (size_t i = 0; i < policy->feature_count; i++)
    if (policy->features[i].kind == kind) mask |= policy->features[i].bit;
  return mask;
}

static void parse_feature(struct tokens *t, struct policy *policy) {
  struct feature feature;
  feature.kind = (enum feature_kind)one_of(t, "feature kind", KIND_NAMES, 5);
  int flag = feature.kind == KIND_LOG_FLAG || feature.kind == KIND_THREAD_SYNC;
  feature.bit = number(t, 1, flag ? UINT32_MAX : UINT64_MAX);
  if ((feature.bit & (feature.bit - 1)) != 0) die(EXIT_SETUP, "bad-policy", "a feature is not one bit in policy");
  feature.abi = (int)number(t, 1, 1000);
  feature.kernel = printable(t, "kernel release", 0);
  feature.name = printable(t, "feature name", 0);
  feature.note = printable(t, "note", 1);
  if (policy->feature_count > 0 && policy->features[policy->feature_count - 1].kind > feature.kind)
    die(EXIT_SETUP, "bad-policy", "feature %.40s is out of order in policy", feature.name);
  /* log flags and thread sync share the restrict_self flags, so their bits must not collide either */
  for (size_t i = 0; i < policy->feature_count; i++) {
    const struct feature *other = &policy->features[i];
    int same_word = other->kind == feature.kind ||
                    (flag && (other->kind == KIND_LOG_FLAG || other->kind == KIND_THREAD_SYNC));
    if (same_word && other->bit == feature.bit)
      die(EXIT_SETUP, "bad-policy", "feature %.40s repeats a bit in policy", feature.name);
  }
  policy->features = grow(policy->features, policy->feature_count, sizeof feature);
  policy->features[policy->feature_count++] = feature;
}

void parse_policy(char *data, size_t size, struct policy *policy) {
  struct tokens t = {data, data + size};
  memset(policy, 0, sizeof *policy);
  expect(&t, POLICY_MAGIC);
  const char *version = token(&t);
  if (strcmp(version, POLICY_VERSION) != 0)
    die(EXIT_SETUP, "bad-policy",
        "policy format '%.20s' is not this helper's (format " POLICY_VERSION
        "); render the policy again with the same Volt (volt apply)",
        version);
  expect(&t, "compatibility");
  policy->compatibility = (enum compatibility)one_of(&t, "compatibility mode", COMPATIBILITY_NAMES, 3);
  expect(&t, "file-rights");
  static const char *const FILE_RIGHTS_MODES[] = {"error", "mask"};
  policy->mask_file_rights = one_of(&t, "file-rights mode", FILE_RIGHTS_MODES, 2);
  expect(&t, "file-rights-mask");
  policy->file_rights = number(&t, 0, UINT64_MAX);

  /* records: features, then paths, then ports (the order the status reports them in) */
  int stage = 0;
  for (;;) {
    const char *kind = token(&t);
    if (strcmp(kind, "end") == 0) break;
    if (strcmp(kind, "feature") == 0 && stage == 0) {
      parse_feature(&t, policy);
    } else if (strcmp(kind, "path") == 0 && stage <= 1) {
      stage = 1;
      struct path_rule rule;
      rule.access = number(&t, 1, UINT64_MAX);
      rule.optional = (int)number(&t, 0, 1);
      rule.path = rule_path(&t);
      if ((rule.access & ~asked_mask(policy, KIND_FS)) != 0)
        die(EXIT_SETUP, "bad-policy", "the rule for %.80s grants rights the policy does not handle", rule.path);
      policy->paths = grow(policy->paths, policy->path_count, sizeof rule);
      policy->paths[policy->path_count++] = rule;
    } else if (strcmp(kind, "port") == 0) {
      stage = 2;
      struct port_rule rule;
      rule.access = number(&t, 1, UINT64_MAX);
      rule.port = number(&t, 0, 65535);
      if ((rule.access & ~asked_mask(policy, KIND_NET)) != 0)
        die(EXIT_SETUP, "bad-policy", "the rule for port %llu grants rights the policy does not handle",
            (unsigned long long)rule.port);
      policy->ports = grow(policy->ports, policy->port_count, sizeof rule);
      policy->ports[policy->port_count++] = rule;
    } else {
      die(EXIT_SETUP, "bad-policy", "unexpected policy record '%.40s'", kind);
    }
  }
  if (t.next != t.end) die(EXIT_SETUP, "bad-policy", "data after the 'end' token");
}
