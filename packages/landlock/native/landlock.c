/*
 * Landlock where it runs: the kernel's ABI, the downgrade of the policy as asked by its compatibility mode
 * (the same decisions as @volt/landlock's resolveLandlockCompatibility, checked against one table of cases
 * on both sides), the rule paths opened without following any symlink, and the ruleset.
 */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif

#define CREATE_RULESET_VERSION 1U
#define CREATE_RULESET_ERRATA 2U
#define RULE_PATH_BENEATH 1
#define RULE_NET_PORT 2
#define RESOLVE_NO_SYMLINKS_FLAG 0x04ULL

struct ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

struct net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};

struct open_how_attr {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};

#ifdef VOLT_HELPER_TESTING
int testing_without_openat2;
#endif

/* One part of the policy that is not enforced, and why. `skipped` parts were cut when a rule was opened. */
struct drop {
  const char *name;
  char *reason;
  const char *brief;
  int skipped;
};

/* The helper resolves one policy per run: the list of what it dropped lives for the whole run. */
static struct drop *drops;
static size_t drop_count;

static void add_drop(const char *name, char *reason, const char *brief, int skipped) {
  if (drop_count == 0 || (drop_count & (drop_count - 1)) == 0) {
    struct drop *grown = realloc(drops, (drop_count == 0 ? 1 : drop_count * 2) * sizeof *drops);
    if (grown == NULL) die(EXIT_SETUP, "system", "out of memory");
    drops = grown;
  }
  drops[drop_count++] = (struct drop){name, reason, brief, skipped};
  status(skipped ? "skipped" : "dropped", name, reason);
}

static char *format(const char *pattern, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *pattern, ...) {
  va_list args;
  va_start(args, pattern);
  char *text = NULL;
  if (vasprintf(&text, pattern, args) < 0) die(EXIT_SETUP, "system", "out of memory");
  va_end(args);
  return text;
}

void probe_kernel(struct kernel *kernel) {
  kernel->unavailable = NULL;
  kernel->errata = 0;
  long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, CREATE_RULESET_VERSION);
  if (abi < 0) {
    int error = errno;
    if (error != ENOSYS && error != EOPNOTSUPP && error != EPERM)
      die(EXIT_SETUP, "system", "landlock_create_ruleset(VERSION): %s", strerror(error));
    /* systemd-nspawn before v257 answers EPERM from its own seccomp filter */
    kernel->unavailable = error == ENOSYS       ? "the kernel has no Landlock (ENOSYS)"
                          : error == EOPNOTSUPP ? "Landlock is disabled at boot (EOPNOTSUPP)"
                                                : "a seccomp filter blocks the Landlock system calls (EPERM)";
    abi = 0;
  } else {
    long errata = syscall(__NR_landlock_create_ruleset, NULL, 0, CREATE_RULESET_ERRATA);
    kernel->errata = errata < 0 ? 0 : (int)errata;
  }
  kernel->abi = kernel->real_abi = (int)abi;
}

/* The reason a feature is dropped on this kernel; the same words as the TypeScript resolver. */
static char *missing_reason(const struct feature *feature, int abi) {
  if (abi == 0)
    return format("Landlock is not available on this kernel (it needs ABI %d, Linux %s)%s", feature->abi,
                  feature->kernel, feature->note);
  return format("needs Landlock ABI %d (Linux %s); this kernel has ABI %d%s", feature->abi, feature->kernel, abi,
                feature->note);
}

static int restricts(const struct feature *feature) {
  return feature->kind == KIND_FS || feature->kind == KIND_NET || feature->kind == KIND_SCOPE;
}

__attribute__((noreturn)) static void refuse(const char *why, const struct kernel *kernel) {
  struct text message = {0};
  text_add(&message, "%s", why);
  for (size_t i = 0; i < drop_count; i++)
    text_add(&message, "%s%s: %s", i == 0 ? "" : "; ", drops[i].name, drops[i].reason);
  if (kernel->unavailable != NULL) text_add(&message, " (Landlock is not available: %s)", kernel->unavailable);
  die(EXIT_SETUP, "unsupported", "%s", text_get(&message));
}

void resolve_policy(struct policy *policy, const struct kernel *kernel, struct resolution *resolution) {
  memset(resolution, 0, sizeof *resolution);
  resolution->ruleset = -1;
  int abi = kernel->abi;
  int asked = 0, restricting_dropped = 0, thread_sync_dropped = 0;
  for (size_t i = 0; i < policy->feature_count; i++) {
    const struct feature *feature = &policy->features[i];
    if (!restricts(feature)) continue;
    asked = 1;
    if (abi < feature->abi) {
      add_drop(feature->name, missing_reason(feature, abi), NULL, 0);
      restricting_dropped = 1;
    } else if (feature->kind == KIND_FS)
      resolution->fs |= feature->bit;
    else if (feature->kind == KIND_NET)
      resolution->net |= feature->bit;
    else
      resolution->scoped |= feature->bit;
  }
  resolution->enforces = (resolution->fs | resolution->net | resolution->scoped) != 0;
  for (size_t i = 0; i < policy->feature_count; i++) {
    const struct feature *feature = &policy->features[i];
    if (restricts(feature)) continue;
    if (abi >= feature->abi && resolution->enforces) {
      resolution->restrict_flags |= (uint32_t)feature->bit;
      continue;
    }
    add_drop(feature->name,
             resolution->enforces ? missing_reason(feature, abi) : format("nothing is left to enforce"), NULL, 0);
    if (feature->kind == KIND_THREAD_SYNC) thread_sync_dropped = 1;
  }
  for (size_t i = 0; i < policy->path_count; i++) {
    struct path_rule *rule = &policy->paths[i];
    rule->access &= resolution->fs;
    if (rule->access == 0)
      add_drop(format("path:%s", rule->path), format("every right of the rule was dropped"), NULL, 0);
  }
  for (size_t i = 0; i < policy->port_count; i++) {
    struct port_rule *rule = &policy->ports[i];
    rule->access &= resolution->net;
    if (rule->access == 0)
      add_drop(format("port:%llu", (unsigned long long)rule->port), format("every right of the rule was dropped"),
               NULL, 0);
  }
  resolution->dropped = drop_count;
  resolution->enforcement = !resolution->enforces                            ? "not"
                            : restricting_dropped || thread_sync_dropped ? "partially"
                                                                           : "fully";
  status("enforcement", resolution->enforcement, NULL);

  if (policy->compatibility == HARD_REQUIREMENT && drop_count > 0)
    refuse("this kernel cannot enforce the whole policy (hard requirement): ", kernel);
  if (policy->compatibility == SOFT_REQUIREMENT && asked && !resolution->enforces)
    refuse("this kernel can enforce nothing of the policy (soft requirement): ", kernel);
  if (!asked)
    status("unenforced", "the policy handles nothing", NULL);
  else if (!resolution->enforces && kernel->unavailable != NULL) {
    char *why = format("Landlock is not available: %s; running unconfined (best-effort)", kernel->unavailable);
    status("unenforced", why, NULL);
    free(why);
  }
}

enum opened { OPENED, MISSING, SYMLINK };

/* Opens `path` component by component from /, each with O_NOFOLLOW: a symlink is found, never followed. */
static enum opened walk_path(const char *path, int *fd, char **symlink) {
  int directory = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) die(EXIT_SETUP, "system", "cannot open /: %s", strerror(errno));
  for (const char *c = path;;) {
    while (*c == '/') c++;
    if (*c == '\0') break;
    size_t length = strcspn(c, "/");
    char *name = strndup(c, length);
    if (name == NULL) die(EXIT_SETUP, "system", "out of memory");
    int next = openat(directory, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int error = errno;
    free(name);
    close(directory);
    if (next < 0 && error == ENOENT) return MISSING;
    if (next < 0) die(EXIT_SETUP, errno_kind(error), "cannot open %s: %s", path, strerror(error));
    struct stat st;
    if (fstat(next, &st) < 0) die(EXIT_SETUP, "system", "cannot stat %s: %s", path, strerror(errno));
    c += length;
    if (S_ISLNK(st.st_mode)) {
      close(next);
      *symlink = format("%.*s", (int)(c - path), path);
      return SYMLINK;
    }
    directory = next;
  }
  *fd = directory;
  return OPENED;
}

/* openat2(RESOLVE_NO_SYMLINKS) where the kernel has it (5.6+); the component walk names the symlink it met,
 * and stands in on older kernels (ENOSYS) or where a seccomp filter blocks openat2 (EPERM). */
static enum opened open_rule_path(const char *path, int *fd, char **symlink) {
#ifdef VOLT_HELPER_TESTING
  if (testing_without_openat2) return walk_path(path, fd, symlink);
#endif
  struct open_how_attr how = {O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS_FLAG};
  long opened = syscall(__NR_openat2, AT_FDCWD, path, &how, sizeof how);
  if (opened >= 0) {
    *fd = (int)opened;
    return OPENED;
  }
  int error = errno;
  if (error == ENOENT) return MISSING;
  if (error != ELOOP && error != ENOSYS && error != EPERM)
    die(EXIT_SETUP, errno_kind(error), "cannot open %s: %s", path, strerror(error));
  enum opened walked = walk_path(path, fd, symlink);
  if (error == ELOOP && walked != SYMLINK)
    die(EXIT_SETUP, "system", "%s changed while it was opened (a symlink came and went)", path);
  return walked;
}

/* The names of the filesystem rights in `mask`, from the policy's features. */
static char *right_names(const struct policy *policy, uint64_t mask) {
  struct text names = {0};
  for (size_t i = 0; i < policy->feature_count; i++) {
    const struct feature *feature = &policy->features[i];
    if (feature->kind == KIND_FS && (mask & feature->bit) != 0)
      text_add(&names, "%s%s", names.used == 0 ? "" : ", ", feature->name);
  }
  return names.data == NULL ? format("%s", "") : names.data;
}

static void add_path_rule(const struct policy *policy, const struct path_rule *rule, int ruleset) {
  int fd = -1;
  char *symlink = NULL;
  enum opened opened = open_rule_path(rule->path, &fd, &symlink);
  char *name = format("path:%s", rule->path);
  if (opened == MISSING) {
    if (!rule->optional) die(EXIT_SETUP, "missing-path", "%s does not exist", rule->path);
    add_drop(name, format("optional path does not exist"), "does not exist", 1);
    return;
  }
  if (opened == SYMLINK) {
    if (!rule->optional)
      die(EXIT_SETUP, "symlink-path", "%s: %s is a symlink; rules are never applied through symlinks", rule->path,
          symlink);
    add_drop(name, format("%s is a symlink; rule skipped", symlink), "a symlink", 1);
    free(symlink);
    return;
  }
  struct stat st;
  if (fstat(fd, &st) < 0) die(EXIT_SETUP, "system", "cannot stat %s: %s", rule->path, strerror(errno));
  uint64_t access = rule->access;
  uint64_t directory_only = access & ~policy->file_rights;
  if (!S_ISDIR(st.st_mode) && directory_only != 0) {
    if (!policy->mask_file_rights)
      die(EXIT_SETUP, "not-a-directory",
          "%s is not a directory, but its rule grants directory-only rights (mask %llu); grant only file rights",
          rule->path, (unsigned long long)directory_only);
    char *rights = right_names(policy, directory_only);
    add_drop(name, format("not a directory: directory-only rights masked (%s)", rights), "rights masked", 1);
    free(rights);
    access &= policy->file_rights;
  } else
    free(name);
  struct path_beneath_attr attr = {access, fd};
  if (access != 0 && syscall(__NR_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &attr, 0U) < 0)
    die(EXIT_SETUP, "system", "landlock_add_rule(%s): %s", rule->path, strerror(errno));
  close(fd);
  if (access != 0) {
    char mask[24];
    snprintf(mask, sizeof mask, "%llu", (unsigned long long)access);
    status("rule-path", mask, rule->path);
  }
}

static void summarize(const struct policy *policy, const struct kernel *kernel, struct resolution *resolution) {
  struct text *summary = &resolution->summary;
  const char *mode = compatibility_name(policy->compatibility);
  int asked = 0;
  for (size_t i = 0; i < policy->feature_count; i++) asked |= restricts(&policy->features[i]);
  if (!asked)
    text_add(summary, "Landlock: not enforced: the policy handles nothing");
  else if (resolution->enforces || kernel->unavailable == NULL) {
    text_add(summary, "Landlock: %s enforced on this kernel (ABI %d", resolution->enforcement, kernel->abi);
    if (kernel->abi != kernel->real_abi) text_add(summary, ", emulated on ABI %d", kernel->real_abi);
    text_add(summary, ", %s)", mode);
  } else
    text_add(summary, "Landlock: not enforced: Landlock is not available: %s (%s: the command runs unconfined)",
             kernel->unavailable, mode);
  for (size_t i = 0, shown = 0; i < drop_count; i++)
    if (!drops[i].skipped) text_add(summary, "%s%s", shown++ == 0 ? ": dropped " : ", ", drops[i].name);
  for (size_t i = 0, shown = 0; i < drop_count; i++)
    if (drops[i].skipped)
      text_add(summary, "%s%s (%s)", shown++ == 0 ? "; skipped " : ", ", drops[i].name, drops[i].brief);
}

void build_ruleset(const struct policy *policy, const struct kernel *kernel, struct resolution *resolution) {
  if (resolution->enforces) {
    struct ruleset_attr attr = {resolution->fs, resolution->net, resolution->scoped};
    /* the struct grew with the ABI: an older kernel refuses a longer one only if the tail is not zero */
    size_t size = kernel->abi >= 6 ? sizeof attr : kernel->abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
    resolution->ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0U);
    if (resolution->ruleset < 0) die(EXIT_SETUP, "system", "landlock_create_ruleset: %s", strerror(errno));
    status_number("handled-fs", resolution->fs);
    status_number("handled-net", resolution->net);
    status_number("scoped", resolution->scoped);
    status_number("restrict-flags", resolution->restrict_flags);
    for (size_t i = 0; i < policy->path_count; i++)
      if (policy->paths[i].access != 0) add_path_rule(policy, &policy->paths[i], resolution->ruleset);
    for (size_t i = 0; i < policy->port_count; i++) {
      const struct port_rule *rule = &policy->ports[i];
      if (rule->access == 0) continue;
      struct net_port_attr attr_port = {rule->access, rule->port};
      if (syscall(__NR_landlock_add_rule, resolution->ruleset, RULE_NET_PORT, &attr_port, 0U) < 0)
        die(EXIT_SETUP, "system", "landlock_add_rule(port %llu): %s", (unsigned long long)rule->port,
            strerror(errno));
      char mask[24], port[24];
      snprintf(mask, sizeof mask, "%llu", (unsigned long long)rule->access);
      snprintf(port, sizeof port, "%llu", (unsigned long long)rule->port);
      status("rule-port", mask, port);
    }
  }
  resolution->skipped = drop_count - resolution->dropped;
  summarize(policy, kernel, resolution);
  /* Without a status descriptor, stderr (a container's journal) gets the summary and every reason. */
  if (!report_has_status_fd()) {
    say("%s", text_get(&resolution->summary));
    for (size_t i = 0; i < drop_count; i++) say("  %s: %s", drops[i].name, drops[i].reason);
  }
}

void restrict_self(struct resolution *resolution) {
  if (resolution->ruleset < 0) return;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die(EXIT_SETUP, "system", "no_new_privs: %s", strerror(errno));
  if (syscall(__NR_landlock_restrict_self, resolution->ruleset, resolution->restrict_flags) < 0)
    die(EXIT_SETUP, "system", "landlock_restrict_self: %s", strerror(errno));
  close(resolution->ruleset);
  resolution->ruleset = -1;
  status("enforced", NULL, NULL);
}
