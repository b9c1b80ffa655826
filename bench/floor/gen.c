// gen.c: the load for relay.c, shaped as sbload's relay scenario (2*PAIRS
// loopback connections, each sending RATE messages of SIZE bytes per
// second on an open-loop schedule, messages of all connections evenly
// interleaved). It reads relay.c's CPU time from /proc/PID/stat around
// the sending phase and prints the relay's CPU per message (total and
// kernel) and the one-way latency's p50 and p99. Written by hand in C so
// the generator costs the relay as little as possible: a measuring tool,
// not part of Signalbox.
//
//	gen PORT PAIRS RATE SECONDS SIZE RELAY-PID
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// cpu reads pid's utime and stime in clock ticks.
static void cpu(int pid, long *user, long *sys) {
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(line, sizeof line, f)) {
		perror(path);
		exit(1);
	}
	fclose(f);
	char *p = strrchr(line, ')'); // fields after the command name
	sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", user, sys);
}

static int cmp(const void *a, const void *b) {
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv) {
	if (argc != 7) {
		fprintf(stderr, "usage: gen PORT PAIRS RATE SECONDS SIZE RELAY-PID\n");
		return 2;
	}
	int port = atoi(argv[1]), conns = 2 * atoi(argv[2]), size = atoi(argv[5]), pid = atoi(argv[6]);
	double rate = atof(argv[3]) * conns; // messages per second in all
	long total = (long)(rate * atof(argv[4]));
	if (size < 8 || size > 4096 || conns < 2 || total < 1)
		return 2;
	int ep = epoll_create1(0), one = 1, *fds = calloc(conns, sizeof *fds);
	int *got = calloc(conns, sizeof *got); // bytes of the current message read
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < conns; i++) { // in order: relay.c pairs by accept order
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(fds[i], (struct sockaddr *)&a, sizeof a)) {
			perror("connect");
			return 1;
		}
		setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
	}
	sleep(1); // every accept done
	int64_t *lat = calloc(total, sizeof *lat);
	long sent = 0, received = 0, u0, s0, u1, s1;
	char msg[4096] = {0}, buf[65536];
	struct epoll_event evs[256];
	cpu(pid, &u0, &s0);
	int64_t start = now(), drain_end = 0;
	for (;;) {
		int64_t t = now();
		for (; sent < total && start + (int64_t)(sent * 1e9 / rate) <= t; sent++) {
			int64_t ts = now();
			memcpy(msg, &ts, 8);
			if (write(fds[sent % conns], msg, size) != size) {
				fprintf(stderr, "gen: short write\n");
				return 1;
			}
		}
		if (sent == total && !drain_end)
			drain_end = now() + 2000000000LL;
		if (received == total || (drain_end && t > drain_end))
			break;
		int64_t next = sent < total ? start + (int64_t)(sent * 1e9 / rate) - now() : 10000000;
		struct timespec to = {0, next > 0 ? next : 0};
		int n = epoll_pwait2(ep, evs, 256, &to, NULL);
		for (int i = 0; i < n; i++) {
			int c = evs[i].data.u32;
			ssize_t r = read(fds[c], buf, sizeof buf);
			for (ssize_t off = 0; off < r;) { // messages may split or merge
				if (got[c] == 0 && r - off >= 8) {
					int64_t ts;
					memcpy(&ts, buf + off, 8);
					if (received < total)
						lat[received] = now() - ts;
				}
				ssize_t take = size - got[c] < r - off ? size - got[c] : r - off;
				got[c] += take;
				off += take;
				if (got[c] == size) {
					got[c] = 0;
					received++;
				}
			}
		}
	}
	cpu(pid, &u1, &s1);
	double tick = sysconf(_SC_CLK_TCK), secs = (now() - start) / 1e9;
	long n = received < total ? received : total;
	qsort(lat, n, sizeof *lat, cmp);
	printf("floor: %ld sent, %ld received in %.1f s (%.0f/s); relay CPU per message %.1f us (kernel %.1f us); latency p50 %.2f ms p99 %.2f ms\n",
	       sent, received, secs, received / secs,
	       ((u1 - u0) + (s1 - s0)) / tick / received * 1e6, (s1 - s0) / tick / received * 1e6,
	       n ? lat[n / 2] / 1e6 : 0, n ? lat[n * 99 / 100] / 1e6 : 0);
	for (int i = 0; i < conns; i++)
		close(fds[i]);
	return received == total ? 0 : 1;
}
