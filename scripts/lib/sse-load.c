/*
 * sse-load: the simulator bench's native load generator.
 *
 * Opens N connections (Unix domain socket or TCP), sends one streaming HTTP/1.1 request on each
 * (Connection: close), reads every response with epoll, and for each SSE event that carries the
 * simulator's `"sim_t_ms":` stamp records when it arrived (CLOCK_MONOTONIC, ms) and the modelled
 * time it carries. Why native: on a 2-core machine the load generator shares the CPU with the
 * simulator it measures, and Node's per-read cost (~10 us here) would take a whole core at
 * 100k tokens/s; a read loop in C costs a fraction of that, so the simulator gets the CPU.
 *
 * Usage: sse-load (--unix PATH | --tcp HOST:PORT) --streams N --request FILE --out FILE [--poll-us US]
 *
 * --poll-us: instead of sleeping in epoll_wait until data arrives, poll every US microseconds.
 * Then the server's writes find no reader waiting and do not have to wake one (a cross-CPU
 * wake-up per token is costly in a VM and is charged to the writer), and each poll reads many
 * sockets; receive times are quantised to the poll interval.
 * Output file: little-endian float64 records (stream index, receive ms, modelled ms), one per
 * token. Stdout: one JSON line {"completed", "failed", "errors": {...}, "tokens", "t_start_ms",
 * "t_end_ms"}. Exit code 0 when the run finished (failures are counted, not fatal), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CONN_BUF 16384

enum { ST_CONNECTING, ST_HEADERS, ST_BODY, ST_DONE };

struct conn {
  int fd;
  int index;
  int state;
  int status;
  int saw_done;
  size_t sent;
  size_t len; /* bytes held in buf */
  long tokens;
  char buf[CONN_BUF];
};

static const char KEY[] = "\"sim_t_ms\":";
static const char DONE_MARK[] = "data: [DONE]";

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *request;
static size_t request_len;
static FILE *out;
static long total_tokens, completed, failed;
static long err_connect, err_status, err_no_done, err_reset, err_overflow;

static double parse_num(const char *p, const char *end) {
  double v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  if (p < end && *p == '.') {
    double scale = 0.1;
    p++;
    while (p < end && *p >= '0' && *p <= '9') {
      v += (*p++ - '0') * scale;
      scale /= 10;
    }
  }
  return v;
}

/* Scan complete events in c->buf; keep the incomplete tail. */
static void scan(struct conn *c, double t) {
  char *b = c->buf;
  char *end = b + c->len;
  if (c->state == ST_HEADERS) {
    char *h = memmem(b, c->len, "\r\n\r\n", 4);
    if (!h) return;
    c->status = (int)parse_num(b + 9, b + 12);
    c->state = ST_BODY;
    size_t skip = (size_t)(h + 4 - b);
    memmove(b, b + skip, c->len - skip);
    c->len -= skip;
    end = b + c->len;
  }
  /* Last complete event end. */
  char *last = NULL;
  for (char *p = end - 2; p >= b; p--) {
    if (p[0] == '\n' && p[1] == '\n') {
      last = p + 2;
      break;
    }
  }
  if (!last) return;
  char *p = b;
  while (p < last) {
    char *k = memmem(p, (size_t)(last - p), KEY, sizeof KEY - 1);
    if (!k) break;
    double rec[3] = {(double)c->index, t, parse_num(k + sizeof KEY - 1, last)};
    fwrite(rec, sizeof rec, 1, out);
    c->tokens++;
    total_tokens++;
    p = k + sizeof KEY - 1;
  }
  if (!c->saw_done && memmem(b, (size_t)(last - b), DONE_MARK, sizeof DONE_MARK - 1)) c->saw_done = 1;
  size_t rest = (size_t)(end - last);
  memmove(b, last, rest);
  c->len = rest;
}

static void finish(int ep, struct conn *c, int reset) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  if (c->state == ST_DONE) return;
  c->state = ST_DONE;
  if (c->status == 200 && c->saw_done) completed++;
  else {
    failed++;
    if (c->status == 0 && reset) err_reset++;
    else if (c->status == 0) err_connect++;
    else if (c->status != 200) err_status++;
    else if (reset) err_reset++;
    else err_no_done++;
  }
}

int main(int argc, char **argv) {
  const char *unix_path = NULL, *tcp = NULL, *req_file = NULL, *out_file = NULL;
  int streams = 0;
  long poll_us = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--unix")) unix_path = argv[i + 1];
    else if (!strcmp(argv[i], "--tcp")) tcp = argv[i + 1];
    else if (!strcmp(argv[i], "--streams")) streams = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--request")) req_file = argv[i + 1];
    else if (!strcmp(argv[i], "--out")) out_file = argv[i + 1];
    else if (!strcmp(argv[i], "--poll-us")) poll_us = atol(argv[i + 1]);
  }
  if ((!unix_path && !tcp) || streams <= 0 || !req_file || !out_file) {
    fprintf(stderr, "usage: sse-load (--unix PATH | --tcp HOST:PORT) --streams N --request FILE --out FILE\n");
    return 2;
  }
  FILE *rf = fopen(req_file, "rb");
  if (!rf) {
    perror(req_file);
    return 2;
  }
  fseek(rf, 0, SEEK_END);
  request_len = (size_t)ftell(rf);
  fseek(rf, 0, SEEK_SET);
  request = malloc(request_len);
  if (fread(request, 1, request_len, rf) != request_len) return 2;
  fclose(rf);
  out = fopen(out_file, "wb");
  if (!out) {
    perror(out_file);
    return 2;
  }
  setvbuf(out, NULL, _IOFBF, 1 << 20);

  struct sockaddr_storage addr;
  socklen_t alen;
  int family;
  memset(&addr, 0, sizeof addr);
  if (unix_path) {
    struct sockaddr_un *u = (struct sockaddr_un *)&addr;
    u->sun_family = AF_UNIX;
    strncpy(u->sun_path, unix_path, sizeof u->sun_path - 1);
    alen = sizeof *u;
    family = AF_UNIX;
  } else {
    struct sockaddr_in *in = (struct sockaddr_in *)&addr;
    char host[256];
    const char *colon = strrchr(tcp, ':');
    if (!colon || (size_t)(colon - tcp) >= sizeof host) return 2;
    memcpy(host, tcp, (size_t)(colon - tcp));
    host[colon - tcp] = 0;
    in->sin_family = AF_INET;
    in->sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &in->sin_addr) != 1) return 2;
    alen = sizeof *in;
    family = AF_INET;
  }

  int ep = epoll_create1(0);
  struct conn *conns = calloc((size_t)streams, sizeof *conns);
  double t_start = now_ms();
  for (int i = 0; i < streams; i++) {
    struct conn *c = &conns[i];
    c->index = i;
    c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (family == AF_INET) {
      int one = 1;
      setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    int r;
    /* A Unix socket's backlog can be momentarily full: retry briefly instead of failing the stream. */
    for (int tries = 0; (r = connect(c->fd, (struct sockaddr *)&addr, alen)) < 0 && errno == EAGAIN && tries < 2000; tries++) usleep(1000);
    if (r < 0 && errno != EINPROGRESS) {
      close(c->fd);
      c->fd = -1;
      c->state = ST_DONE;
      failed++;
      err_connect++;
      continue;
    }
    c->state = ST_CONNECTING;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
  }

  long open_conns = streams - failed;
  struct epoll_event evs[512];
  while (open_conns > 0) {
    int n = epoll_wait(ep, evs, 512, poll_us > 0 ? 0 : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    double t = now_ms();
    for (int e = 0; e < n; e++) {
      struct conn *c = evs[e].data.ptr;
      if (c->fd < 0) continue;
      if (c->state == ST_CONNECTING && (evs[e].events & EPOLLOUT)) {
        ssize_t w = write(c->fd, request + c->sent, request_len - c->sent);
        if (w > 0) c->sent += (size_t)w;
        if (w < 0 && errno != EAGAIN) {
          finish(ep, c, 1);
          open_conns--;
          continue;
        }
        if (c->sent == request_len) {
          c->state = ST_HEADERS;
          struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
        continue;
      }
      if (evs[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          if (c->len == CONN_BUF) {
            /* An event larger than the buffer: not the simulator's stream. */
            err_overflow++;
            c->len = 0;
          }
          size_t room = CONN_BUF - c->len;
          ssize_t r = read(c->fd, c->buf + c->len, room);
          if (r > 0) {
            c->len += (size_t)r;
            scan(c, t);
            if ((size_t)r < room) break; /* short read: drained for now (epoll is level-triggered) */
            continue;
          }
          if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
            finish(ep, c, r < 0);
            open_conns--;
          }
          break;
        }
      }
    }
    if (poll_us > 0 && n < 512) usleep((useconds_t)poll_us);
  }
  double t_end = now_ms();
  fflush(out);
  fclose(out);
  printf("{\"completed\":%ld,\"failed\":%ld,\"tokens\":%ld,\"t_start_ms\":%.3f,\"t_end_ms\":%.3f,\"errors\":{\"connect\":%ld,\"http_status\":%ld,\"no_done\":%ld,\"reset\":%ld,\"event_overflow\":%ld}}\n",
         completed, failed, total_tokens, t_start, t_end, err_connect, err_status, err_no_done, err_reset, err_overflow);
  return 0;
}
