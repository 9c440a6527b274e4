/* Test probe: makes one kind of system call and prints what it got.
 *   probe mount DIR        mount a tmpfs on DIR: "ok" or "errno=N"
 *   probe syscall NR [ARG...]  raw syscall NR with up to 6 integer arguments: "ret=R" or "errno=N"
 *   probe x32              getpid with the x32 bit set (x86_64 only)
 *   probe int80            getpid through the i386 entry (int $0x80, x86_64 only)
 *   probe getppid-loop N   N raw getppid calls; prints "ns_per_call=F" (thread CPU time, so time spent preempted by other work does not count)
 *   probe syscall-loop NR N  N raw calls of NR without arguments; prints "ns_per_call=F" */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int report(long ret) {
  if (ret < 0)
    printf("errno=%d\n", errno);
  else
    printf("ret=%ld\n", ret);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (strcmp(argv[1], "mount") == 0 && argc == 3) {
    if (mount("vts-probe", argv[2], "tmpfs", 0, NULL) == 0) {
      umount(argv[2]);
      printf("ok\n");
    } else {
      printf("errno=%d\n", errno);
    }
    return 0;
  }
  if (strcmp(argv[1], "syscall") == 0 && argc >= 3 && argc <= 9) {
    long a[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 3; i < argc; i++) a[i - 3] = strtol(argv[i], NULL, 0);
    return report(syscall(strtol(argv[2], NULL, 0), a[0], a[1], a[2], a[3], a[4], a[5]));
  }
#if defined(__x86_64__)
  if (strcmp(argv[1], "x32") == 0) return report(syscall(0x40000000 | SYS_getpid));
  if (strcmp(argv[1], "int80") == 0) {
    long ret = 20; /* __NR_getpid on i386 */
    __asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
    printf("ret=%ld\n", ret);
    return 0;
  }
#endif
  if ((strcmp(argv[1], "getppid-loop") == 0 && argc == 3) || (strcmp(argv[1], "syscall-loop") == 0 && argc == 4)) {
    long nr = argc == 4 ? atol(argv[2]) : SYS_getppid;
    long n = atol(argv[argc - 1]);
    struct timespec start, end;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
    for (long i = 0; i < n; i++) syscall(nr);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
    double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
    printf("ns_per_call=%.3f\n", ns / n);
    return 0;
  }
  fprintf(stderr, "unknown probe\n");
  return 2;
}
