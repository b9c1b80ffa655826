// relay.c: the floor of a relay on this machine, for the transport
// kernel's CPU target (issue 14, docs/benchmarks.md "The floor").
//
// It accepts 2*PAIRS loopback TCP connections, pairs them in accept order
// (0 with 1, 2 with 3, ...) and copies whatever one sends to the other: per
// message one read, one write and a share of one epoll_wait, with nothing
// else: no WebSocket framing, no parsing, no rooms, no allocation. Any
// signaling server does at least this much work per relayed message, so
// its CPU per message (gen.c measures it) is a lower bound for every
// server on this machine. Written by hand in C because the point is to
// have no runtime at all; it is a measuring tool, not part of Signalbox.
//
//	relay PORT PAIRS      (PORT 0 picks a free one; "listening PORT" says which)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what) {
	perror(what);
	exit(1);
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: relay PORT PAIRS\n");
		return 2;
	}
	int port = atoi(argv[1]), conns = 2 * atoi(argv[2]);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // loopback only
	if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096))
		die("listen");
	socklen_t alen = sizeof a;
	if (getsockname(ls, (struct sockaddr *)&a, &alen))
		die("getsockname");
	printf("listening %d\n", ntohs(a.sin_port)); // the generator may connect now
	fflush(stdout);
	int *fds = calloc(conns, sizeof *fds), maxfd = 0;
	for (int i = 0; i < conns; i++) {
		if ((fds[i] = accept(ls, NULL, NULL)) < 0)
			die("accept");
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
		setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		maxfd = fds[i] > maxfd ? fds[i] : maxfd;
	}
	int *partner = calloc(maxfd + 1, sizeof *partner);
	int ep = epoll_create1(0);
	for (int i = 0; i < conns; i++) {
		partner[fds[i]] = fds[i ^ 1];
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fds[i]};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev))
			die("epoll_ctl");
	}
	static char buf[65536];
	struct epoll_event evs[256];
	long bytes = 0, short_writes = 0;
	for (int open = conns; open > 0;) {
		int n = epoll_wait(ep, evs, 256, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			ssize_t r = read(fd, buf, sizeof buf);
			if (r > 0) {
				ssize_t w = write(partner[fd], buf, r);
				bytes += r;
				short_writes += w != r;
			} else if (r == 0 || errno != EAGAIN) {
				close(fd);
				open--;
			}
		}
	}
	printf("relay: %ld bytes copied, %ld short writes\n", bytes, short_writes);
	return 0;
}
