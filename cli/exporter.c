// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * latebind exporter: the pools of this network namespace as Prometheus
 * metrics (text exposition format 0.0.4) on GET /metrics; docs/metrics.md.
 *
 * One thread, one poll loop. Every scrape reads the pinned maps afresh
 * (latebind_pool_tunnels: one link dump, batched map reads) and never takes
 * a pool's lock. Clients are served without blocking each other: requests
 * are bounded in size, connections in time, and when every slot is taken
 * the oldest client still sending its request makes room.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <latebind/latebind.h>
#include "args.h"
#include "cli.h"
#include "exporter.h"
#include "output.h"

#define EXP_CLIENTS 16
#define EXP_REQUEST_MAX 8192  /* request line and headers */
#define EXP_READ_MS 5000      /* to send the whole request */
#define EXP_WRITE_MS 10000    /* to take the whole response */

/* Reasons by enum lb_drop_reason, and where each is counted (docs/maps.md). */
static const char *const drop_direction[LATEBIND_DROP_REASONS] = {
	[LB_DROP_UNBOUND] = "egress",
	[LB_DROP_SPOOF] = "ingress",
	[LB_DROP_BAD_BINDING] = "both",
	[LB_DROP_STALE] = "ingress",
	[LB_DROP_FORGED] = "egress",
	[LB_DROP_UNPARSED] = "egress",
	[LB_DROP_BYPASS] = "both",
};

/* --- one scrape ------------------------------------------------------------ */

struct pool_scrape {
	char name[IF_NAMESIZE_LB];
	struct latebind_pool_info info;
	bool has_slots;
	struct latebind_slots_info slots;
	uint64_t drops[LATEBIND_DROP_REASONS];
	struct latebind_tunnel_info *t;
	struct latebind_tunnel_stats *st;
	uint32_t bound, missing, no_ingress;
};

static unsigned long long scrape_errors;
/* Without CAP_NET_ADMIN the guards cannot be read (tcx queries, nftables). */
static bool guards_readable;

/* Is capability @cap in this process's effective set (/proc/self/status)? */
static bool have_cap(int cap)
{
	unsigned long long eff = 0;
	char line[128];
	bool found = false;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	if (f)
		fclose(f);
	return found && (eff >> cap & 1);
}

static void pool_scrape_free(struct pool_scrape *ps)
{
	free(ps->t);
	free(ps->st);
}

/* Read one pool; false (logged unless it just went away) if it cannot be read. */
static bool read_pool(unsigned int ifindex, struct pool_scrape *ps)
{
	struct latebind_pool *pool;
	int err;

	memset(ps, 0, sizeof(*ps));
	if (!if_indextoname(ifindex, ps->name))
		return false; /* destroyed since it was listed */
	err = latebind_pool_open(ps->name, &pool);
	if (err)
		goto fail;
	latebind_pool_info(pool, &ps->info);
	ps->has_slots = !latebind_pool_slots(pool, &ps->slots);
	ps->t = calloc(ps->info.count, sizeof(*ps->t));
	ps->st = calloc(ps->info.count, sizeof(*ps->st));
	err = !ps->t || !ps->st ? -ENOMEM : latebind_pool_drops(pool, ps->drops);
	if (!err)
		err = latebind_pool_tunnels(pool, ps->t, ps->st, ps->info.count);
	latebind_pool_close(pool);
	if (err)
		goto fail;
	for (uint32_t s = 0; s < ps->info.count; s++) {
		ps->bound += ps->t[s].bound;
		ps->missing += !ps->t[s].name[0];
		ps->no_ingress += ps->t[s].bound && !ps->t[s].ingress_ok;
	}
	return true;
fail:
	if (err != -ENOENT && err != -ESTALE && err != -ENODEV) {
		scrape_errors++;
		fprintf(stderr, "latebind: exporter: cannot read the pool on %s: %s\n", ps->name,
			*latebind_last_error() ? latebind_last_error() : strerror(-err));
	}
	pool_scrape_free(ps);
	return false;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* "NAME{pool="P"" : the caller adds labels, then sample() closes the line. */
static void series(FILE *f, const char *name, const struct pool_scrape *ps)
{
	fprintf(f, "%s{pool=", name);
	metrics_label_value(f, ps->name);
}

static void sample(FILE *f, unsigned long long v)
{
	fprintf(f, "} %llu\n", v);
}

static void label(FILE *f, const char *key, const char *value)
{
	fprintf(f, ",%s=", key);
	metrics_label_value(f, value);
}

/* A gauge with the pool label alone, for every pool: @get's value. */
static void pool_gauge(FILE *f, const struct pool_scrape *ps, size_t n, const char *name,
		       const char *help, unsigned long long (*get)(const struct pool_scrape *))
{
	family(f, name, "gauge", help);
	for (size_t i = 0; i < n; i++) {
		series(f, name, &ps[i]);
		sample(f, get(&ps[i]));
	}
}

static unsigned long long missing(const struct pool_scrape *ps) { return ps->missing; }
static unsigned long long no_ingress(const struct pool_scrape *ps) { return ps->no_ingress; }
static unsigned long long first(const struct pool_scrape *ps) { return ps->info.programs_first; }
static unsigned long long input(const struct pool_scrape *ps) { return ps->info.input_guard; }
static unsigned long long unguarded(const struct pool_scrape *ps)
{
	return ps->info.unguarded_tunnels;
}

/* The per-tunnel counters: a field of struct latebind_tunnel_stats each. */
static const struct tunnel_counter {
	const char *name, *help;
	size_t offset;
} counters[] = {
	{ "latebind_tunnel_transmit_packets_total",
	  "Packets a tunnel sent, rewritten from its dummy VNI to its real one.",
	  offsetof(struct latebind_tunnel_stats, tx_packets) },
	{ "latebind_tunnel_transmit_bytes_total",
	  "Bytes a tunnel sent (whole frames, outer headers included).",
	  offsetof(struct latebind_tunnel_stats, tx_bytes) },
	{ "latebind_tunnel_receive_packets_total",
	  "Packets a tunnel received, rewritten from its real VNI to its dummy one.",
	  offsetof(struct latebind_tunnel_stats, rx_packets) },
	{ "latebind_tunnel_receive_bytes_total",
	  "Bytes a tunnel received (whole frames, outer headers included).",
	  offsetof(struct latebind_tunnel_stats, rx_bytes) },
};

static void tunnel_counter(FILE *f, const struct pool_scrape *ps, size_t n,
			   const struct tunnel_counter *c)
{
	family(f, c->name, "counter", c->help);
	for (size_t i = 0; i < n; i++)
		for (uint32_t s = 0; s < ps[i].info.count; s++) {
			/* a slot whose device is gone has no name to label it */
			if (!ps[i].t[s].name[0])
				continue;
			series(f, c->name, &ps[i]);
			label(f, "tunnel", ps[i].t[s].name);
			sample(f, *(const uint64_t *)((const char *)&ps[i].st[s] + c->offset));
		}
}

/* The isolation guards (docs/security.md), read with CAP_NET_ADMIN only. */
static void write_guards(FILE *f, const struct pool_scrape *ps, size_t n)
{
	pool_gauge(f, ps, n, "latebind_programs_first",
		   "1 if lb_egress and lb_ingress run first on the underlay's hooks.", first);
	pool_gauge(f, ps, n, "latebind_input_guard",
		   "1 if the pool's nftables input guard (table inet latebind) is whole.", input);
	pool_gauge(f, ps, n, "latebind_tunnels_unguarded",
		   "Tunnels without lb_tun_egress and lb_tun_ingress first on their hooks.",
		   unguarded);
	family(f, "latebind_taps_unguarded", "gauge",
	       "Slots whose tap is missing or lacks lb_tap_ingress and lb_tap_egress.");
	for (size_t i = 0; i < n; i++) {
		if (!ps[i].has_slots)
			continue;
		series(f, "latebind_taps_unguarded", &ps[i]);
		sample(f, ps[i].slots.unguarded_taps);
	}
}

static void write_metrics(FILE *f, const struct pool_scrape *ps, size_t n, bool listed,
			  double seconds)
{
	char addr[64], range[32];

	family(f, "latebind_pools", "gauge", "Pools in this network namespace.");
	if (listed) /* else unknown, not 0 */
		fprintf(f, "latebind_pools %zu\n", n);
	family(f, "latebind_pool_info", "gauge",
	       "A pool's settings as labels; the value is always 1.");
	for (size_t i = 0; i < n; i++) {
		const struct latebind_pool_info *pi = &ps[i].info;

		snprintf(range, sizeof(range), "%u-%u", pi->dummy_base, pi->dummy_base + pi->count - 1);
		series(f, "latebind_pool_info", &ps[i]);
		label(f, "type", latebind_tunnel_type_name(pi->type));
		label(f, "remote", latebind_addr_str(&pi->remote, addr, sizeof(addr)));
		label(f, "prefix", pi->prefix);
		label(f, "dummy_range", range);
		label(f, "taps", ps[i].has_slots ? "yes" : "no");
		sample(f, 1);
	}
	family(f, "latebind_pool_tunnels", "gauge",
	       "A pool's tunnels, bound to a real VNI or unbound (warm).");
	for (size_t i = 0; i < n; i++) {
		series(f, "latebind_pool_tunnels", &ps[i]);
		label(f, "state", "bound");
		sample(f, ps[i].bound);
		series(f, "latebind_pool_tunnels", &ps[i]);
		label(f, "state", "unbound");
		sample(f, ps[i].info.count - ps[i].bound);
	}
	pool_gauge(f, ps, n, "latebind_pool_tunnels_missing",
		   "Slots whose tunnel device is gone (pool create makes them again).", missing);
	pool_gauge(f, ps, n, "latebind_pool_bindings_without_ingress",
		   "Bound tunnels whose ingress entry is missing: their peer's traffic is dropped.",
		   no_ingress);

	for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++)
		tunnel_counter(f, ps, n, &counters[c]);

	family(f, "latebind_drops_total", "counter",
	       "Packets the datapath dropped, by reason and direction (docs/maps.md).");
	for (size_t i = 0; i < n; i++)
		for (unsigned int r = 0; r < LATEBIND_DROP_REASONS; r++) {
			series(f, "latebind_drops_total", &ps[i]);
			label(f, "reason", latebind_drop_reason_name(r));
			label(f, "direction", drop_direction[r]);
			sample(f, ps[i].drops[r]);
		}

	family(f, "latebind_datapath_attached", "gauge",
	       "1 if the underlay's program of this direction is attached, in this mode.");
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 2; d++) {
			series(f, "latebind_datapath_attached", &ps[i]);
			label(f, "mode", latebind_attach_mode_name(ps[i].info.mode));
			label(f, "direction", d ? "ingress" : "egress");
			sample(f, d ? ps[i].info.ingress_attached : ps[i].info.egress_attached);
		}
	if (guards_readable)
		write_guards(f, ps, n);
	family(f, "latebind_exporter_scrape_errors_total", "counter",
	       "Pools this exporter failed to read since it started (logged on stderr).");
	fprintf(f, "latebind_exporter_scrape_errors_total %llu\n", scrape_errors);
	family(f, "latebind_exporter_scrape_duration_seconds", "gauge",
	       "Time this scrape took to read the pools.");
	fprintf(f, "latebind_exporter_scrape_duration_seconds %.6f\n", seconds);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int metrics_scrape(FILE *f)
{
	struct pool_scrape *ps = NULL;
	unsigned int *pools = NULL;
	double t0 = now_s();
	size_t n = 0, got = 0;
	int err = latebind_pool_list(&pools, &n);
	bool listed;

	if (err) {
		scrape_errors++;
		fprintf(stderr, "latebind: exporter: cannot list the pools: %s\n",
			latebind_last_error());
		n = 0;
	}
	listed = !err;
	if (n && !(ps = calloc(n, sizeof(*ps)))) {
		free(pools);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (read_pool(pools[i], &ps[got]))
			got++;
	write_metrics(f, ps, got, listed, now_s() - t0);
	for (size_t i = 0; i < got; i++)
		pool_scrape_free(&ps[i]);
	free(ps);
	free(pools);
	return 0;
}

/* --- HTTP ------------------------------------------------------------------- */

struct client {
	int fd; /* -1: free */
	char req[EXP_REQUEST_MAX + 1];
	size_t req_len;
	char *out; /* the response, once the request is in */
	size_t out_len, out_off;
	double deadline;
	double since; /* accepted at */
};

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
}

static void respond(struct client *c, const char *status, const char *extra, const char *body,
		    size_t body_len, bool head)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		client_close(c);
		return;
	}
	fprintf(f, "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n", status,
		extra, body_len);
	if (!head)
		fwrite(body, 1, body_len, f);
	if (fclose(f)) {
		free(buf);
		client_close(c);
		return;
	}
	c->out = buf;
	c->out_len = len;
	c->out_off = 0;
	c->deadline = now_s() + EXP_WRITE_MS / 1e3;
}

static void respond_text(struct client *c, const char *status, const char *extra,
			 const char *msg, bool head)
{
	char ctype[256];

	snprintf(ctype, sizeof(ctype), "Content-Type: text/plain; charset=utf-8\r\n%s", extra);
	respond(c, status, ctype, msg, strlen(msg), head);
}

/* The request is in (or too large): make its response. */
static void handle(struct client *c, bool too_large)
{
	char method[16], target[1024], version[16], *q;
	char *body = NULL;
	size_t body_len = 0;
	FILE *f;
	bool head;

	if (too_large) {
		respond_text(c, "431 Request Header Fields Too Large", "",
			     "request larger than 8 KiB\n", false);
		return;
	}
	if (sscanf(c->req, "%15s %1023s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7)) {
		respond_text(c, "400 Bad Request", "", "not an HTTP/1.x request\n", false);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head) {
		respond_text(c, "405 Method Not Allowed", "Allow: GET, HEAD\r\n",
			     "only GET and HEAD\n", false);
		return;
	}
	if ((q = strchr(target, '?')))
		*q = 0;
	if (strcmp(target, "/metrics")) {
		respond_text(c, "404 Not Found", "", "latebind exporter: try /metrics\n", head);
		return;
	}
	f = open_memstream(&body, &body_len);
	if (!f || metrics_scrape(f) || fclose(f)) {
		free(body);
		respond_text(c, "500 Internal Server Error", "", "out of memory\n", head);
		return;
	}
	respond(c, "200 OK", "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n", body,
		body_len, head);
	free(body);
}

static void client_read(struct client *c)
{
	ssize_t r = recv(c->fd, c->req + c->req_len, EXP_REQUEST_MAX - c->req_len, 0);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		client_close(c);
		return;
	}
	c->req_len += (size_t)r;
	c->req[c->req_len] = 0;
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		handle(c, false);
	else if (c->req_len == EXP_REQUEST_MAX)
		handle(c, true);
}

static void client_write(struct client *c)
{
	ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (w < 0) {
		client_close(c);
		return;
	}
	c->out_off += (size_t)w;
	if (c->out_off == c->out_len) {
		shutdown(c->fd, SHUT_WR);
		client_close(c);
	}
}

/* A free slot; with none, the oldest client still sending its request goes. */
static struct client *client_slot(struct client *cl)
{
	struct client *oldest = NULL;

	for (int i = 0; i < EXP_CLIENTS; i++) {
		if (cl[i].fd < 0)
			return &cl[i];
		if (!cl[i].out && (!oldest || cl[i].since < oldest->since))
			oldest = &cl[i];
	}
	if (oldest)
		client_close(oldest);
	return oldest;
}

static void accept_clients(int lfd, struct client *cl)
{
	struct client *c;
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = client_slot(cl);
		if (!c) { /* every slot is writing a response */
			close(fd);
			continue;
		}
		c->fd = fd;
		c->req_len = 0;
		c->req[0] = 0;
		c->since = now_s();
		c->deadline = c->since + EXP_READ_MS / 1e3;
	}
}

static int listen_on(const char *spec)
{
	struct sockaddr_storage ss;
	unsigned int len;
	char err[256];
	int fd, one = 1;

	if (parse_listen(spec, &ss, &len, err, sizeof(err)))
		return -cli_error("%s", err);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -cli_error("cannot listen on %s: %s", spec, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		int e = errno;

		close(fd);
		return -cli_error("cannot listen on %s: %s%s", spec, strerror(e),
				  e == EADDRINUSE ? " (another process has that port)" : "");
	}
	return fd;
}

static int serve(int lfd, int sfd)
{
	struct pollfd pfd[2 + EXP_CLIENTS];
	struct client cl[EXP_CLIENTS];
	struct signalfd_siginfo si;

	for (int i = 0; i < EXP_CLIENTS; i++) {
		cl[i].fd = -1;
		cl[i].out = NULL;
	}
	for (;;) {
		double now = now_s(), next = now + 60;
		int n = 2, timeout;

		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < EXP_CLIENTS; i++) {
			if (cl[i].fd >= 0 && cl[i].deadline <= now)
				client_close(&cl[i]); /* too slow: it blocks nobody */
			if (cl[i].fd < 0)
				continue;
			if (cl[i].deadline < next)
				next = cl[i].deadline;
			pfd[n++] = (struct pollfd){ .fd = cl[i].fd,
						    .events = cl[i].out ? POLLOUT : POLLIN };
		}
		timeout = (int)((next - now) * 1000) + 1;
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return cli_error("exporter: poll: %s", strerror(errno));
		}
		if (pfd[0].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			fprintf(stderr, "latebind: exporter: stopping on %s\n", strsignal(si.ssi_signo));
			break;
		}
		for (int i = 2; i < n; i++) {
			struct client *c = NULL;

			for (int j = 0; j < EXP_CLIENTS && !c; j++)
				if (cl[j].fd == pfd[i].fd)
					c = &cl[j];
			if (!c || !pfd[i].revents)
				continue;
			if (c->out)
				client_write(c);
			else
				client_read(c);
		}
		if (pfd[1].revents)
			accept_clients(lfd, cl);
	}
	for (int i = 0; i < EXP_CLIENTS; i++)
		client_close(&cl[i]);
	return 0;
}

int do_exporter(int argc, char **argv)
{
	const char *spec = EXPORTER_LISTEN_DEFAULT;
	unsigned int *pools;
	size_t n;
	sigset_t mask;
	int lfd, sfd, ret;

	while (argc > 0) {
		if (matches(argv[0], "listen") && argc > 1) {
			spec = argv[1];
			argc -= 2;
			argv += 2;
		} else if (matches(argv[0], "listen")) {
			return cli_error("exporter: \"listen\" needs ADDR:PORT");
		} else {
			return cli_error("exporter: unknown argument \"%s\"; usage: latebind exporter "
					 "[ listen ADDR:PORT ]", argv[0]);
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return cli_error("exporter: cannot take SIGTERM: %s", strerror(errno));
	lfd = listen_on(spec);
	if (lfd < 0) {
		close(sfd);
		return 1;
	}
	/* Pins it cannot read would look like no pools at all: refuse to start. */
	if (latebind_pool_list(&pools, &n)) {
		close(lfd);
		close(sfd);
		return cli_error("exporter: %s (the pins are root's)", latebind_last_error());
	}
	free(pools);
	guards_readable = have_cap(CAP_NET_ADMIN);
	if (!guards_readable)
		fprintf(stderr, "latebind: exporter: without CAP_NET_ADMIN the guards cannot be "
			"read: their metrics are left out\n");
	fprintf(stderr, "latebind: exporter: serving /metrics on %s\n", spec);
	ret = serve(lfd, sfd);
	close(lfd);
	close(sfd);
	return ret;
}
