/*
 * The machine's floor for the simulator bench: what N streams of one small write per engine step
 * cost the kernel when nothing but a tight C loop does the writing. A reader process (polling
 * like sse-load.c) consumes the bytes. Reported: CPU per write (writer) and per read chunk
 * (reader), and how far each stream's gap between writes moved from the step (the same "gap
 * drift" the simulator measures at its own writes).
 *
 * Usage: write-floor (--unix PATH | --tcp PORT (0: any free port)) --streams N --bytes B --step-ms MS --steps K [--poll-us US]
 * Prints one JSON object on stdout. Exit code 0, or 2 on bad usage / setup failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_ms(int who) {
  struct rusage r;
  getrusage(who, &r);
  return r.ru_utime.tv_sec * 1e3 + r.ru_utime.tv_usec / 1e3 + r.ru_stime.tv_sec * 1e3 + r.ru_stime.tv_usec / 1e3;
}

static int connect_to(int family, struct sockaddr *addr, socklen_t alen) {
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  for (int tries = 0; connect(fd, addr, alen) < 0; tries++) {
    if (tries > 2000 || (errno != EAGAIN && errno != ECONNREFUSED)) return -1;
    usleep(1000);
  }
  return fd;
}

/* Reads until every connection is closed; writes its CPU ms and bytes to `report`. */
static void reader(int family, struct sockaddr *addr, socklen_t alen, int n, long poll_us, int report) {
  int ep = epoll_create1(0);
  for (int i = 0; i < n; i++) {
    int fd = connect_to(family, addr, alen);
    if (fd < 0) _exit(3);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  static char buf[65536];
  struct epoll_event evs[512];
  long bytes = 0, reads = 0;
  int open = n;
  while (open > 0) {
    int k = epoll_wait(ep, evs, 512, 0);
    for (int e = 0; e < k; e++) {
      ssize_t r = read(evs[e].data.fd, buf, sizeof buf);
      if (r > 0) {
        bytes += r;
        reads++;
      } else if (r == 0 || (r < 0 && errno != EAGAIN)) {
        close(evs[e].data.fd);
        open--;
      }
    }
    if (k < 512) usleep((useconds_t)poll_us);
  }
  double out[3] = {cpu_ms(RUSAGE_SELF), (double)bytes, (double)reads};
  if (write(report, out, sizeof out) != sizeof out) _exit(4);
  _exit(0);
}

int main(int argc, char **argv) {
  const char *unix_path = NULL;
  int tcp_port = -1, n = 2000, bytes = 240, steps = 500;
  double step_ms = 20;
  long poll_us = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--unix")) unix_path = argv[i + 1];
    else if (!strcmp(argv[i], "--tcp")) tcp_port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--streams")) n = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--bytes")) bytes = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--step-ms")) step_ms = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--steps")) steps = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--poll-us")) poll_us = atol(argv[i + 1]);
  }
  if ((!unix_path && tcp_port < 0) || n <= 0 || bytes <= 0 || steps < 20 || step_ms <= 0) {
    fprintf(stderr, "usage: write-floor (--unix PATH | --tcp PORT) --streams N --bytes B --step-ms MS --steps K [--poll-us US]\n");
    return 2;
  }
  struct sockaddr_un u = {.sun_family = AF_UNIX};
  struct sockaddr_in in = {.sin_family = AF_INET};
  int family = unix_path ? AF_UNIX : AF_INET;
  struct sockaddr *addr;
  socklen_t alen;
  int lfd = socket(family, SOCK_STREAM, 0);
  if (unix_path) {
    strncpy(u.sun_path, unix_path, sizeof u.sun_path - 1);
    unlink(unix_path);
    addr = (struct sockaddr *)&u;
    alen = sizeof u;
  } else {
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
    in.sin_port = htons((unsigned short)tcp_port);
    addr = (struct sockaddr *)&in;
    alen = sizeof in;
  }
  if (bind(lfd, addr, alen) < 0 || listen(lfd, 4096) < 0) {
    perror("write-floor: bind/listen");
    return 2;
  }
  /* --tcp 0: the kernel picked a free port; the reader connects to it. */
  if (!unix_path && getsockname(lfd, addr, &alen) < 0) return 2;
  int pipefd[2];
  if (pipe(pipefd) < 0) return 2;
  pid_t pid = fork();
  if (pid == 0) {
    close(lfd);
    reader(family, addr, alen, n, poll_us, pipefd[1]);
  }
  int *fds = malloc(sizeof(int) * (size_t)n);
  for (int i = 0; i < n; i++) {
    fds[i] = accept(lfd, NULL, NULL);
    if (fds[i] < 0) {
      perror("write-floor: accept");
      return 2;
    }
    if (!unix_path) {
      int one = 1;
      setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    fcntl(fds[i], F_SETFL, O_NONBLOCK);
  }
  char *msg = malloc((size_t)bytes);
  memset(msg, 'x', (size_t)bytes);
  double *prev = calloc((size_t)n, sizeof(double));
  /* Gap drift counts: within 1, 2, 3, 5, 10 ms, and over. */
  long within[6] = {0}, drifts = 0, writes = 0, blocked = 0;
  double batch_sum = 0, batch_max = 0;
  const int warmup = 10;
  double c0 = 0, t0 = now_ms() + 50, tw0 = 0;
  for (int s = 0; s < steps; s++) {
    double ts = t0 + s * step_ms;
    while (now_ms() < ts) usleep(200);
    if (s == warmup) {
      c0 = cpu_ms(RUSAGE_SELF);
      tw0 = now_ms();
      writes = 0;
    }
    double a = now_ms();
    for (int i = 0; i < n; i++) {
      if (write(fds[i], msg, (size_t)bytes) < 0) blocked++;
      else writes++;
      double tw = now_ms();
      if (s > warmup) {
        double d = fabs(tw - prev[i] - step_ms);
        drifts++;
        within[d <= 1 ? 0 : d <= 2 ? 1 : d <= 3 ? 2 : d <= 5 ? 3 : d <= 10 ? 4 : 5]++;
      }
      prev[i] = tw;
    }
    double d = now_ms() - a;
    if (s >= warmup) {
      batch_sum += d;
      if (d > batch_max) batch_max = d;
    }
  }
  double cpu = cpu_ms(RUSAGE_SELF) - c0, wall = now_ms() - tw0;
  for (int i = 0; i < n; i++) close(fds[i]);
  double rep[3] = {0, 0, 0};
  if (read(pipefd[0], rep, sizeof rep) != sizeof rep) return 2;
  waitpid(pid, NULL, 0);
  if (unix_path) unlink(unix_path);
  long cum = 0;
  double share[5];
  for (int k = 0; k < 5; k++) {
    cum += within[k];
    share[k] = drifts ? 100.0 * (double)cum / (double)drifts : 0;
  }
  /* The reader's CPU covers the whole run (warm-up too): per byte, scaled to one write. */
  double total_bytes = rep[1];
  printf("{\"streams\":%d,\"bytes_per_write\":%d,\"step_ms\":%.3f,\"steps\":%d,\"writes_per_s\":%.0f,\"blocked_writes\":%ld,"
         "\"writer_cpu_us_per_write\":%.3f,\"reader_cpu_us_per_write\":%.3f,\"reader_reads\":%.0f,"
         "\"batch_ms\":{\"mean\":%.3f,\"max\":%.3f},\"gap_drift_share_within_ms\":{\"1\":%.2f,\"2\":%.2f,\"3\":%.2f,\"5\":%.2f,\"10\":%.2f},\"gap_drift_n\":%ld}\n",
         n, bytes, step_ms, steps, writes / (wall / 1e3), blocked, cpu * 1e3 / (double)writes,
         total_bytes > 0 ? rep[0] * 1e3 / (total_bytes / bytes) : 0, rep[2], batch_sum / (steps - warmup), batch_max, share[0], share[1], share[2],
         share[3], share[4], drifts);
  return 0;
}
