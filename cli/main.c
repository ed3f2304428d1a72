// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* latebind: warm-pool tunnels with late-bound VNIs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <latebind/latebind.h>
#include "args.h"
#include "cli.h"
#include "conf.h"
#include "exporter.h"
#include "output.h"

bool cli_verbose;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: latebind [ -j ] [ -n NETNS ] [ -v ] COMMAND\n"
		"       latebind help\n"
		"\n"
		"  latebind pool create dev UNDERLAY type { geneve | vxlan } remote ADDR\n"
		"          [ local ADDR ] count N [ dummy-base VNI ] [ prefix NAME ] [ dstport PORT ]\n"
		"          [ udpcsum | noudpcsum ] [ ipv6 | noipv6 ] [ mode { auto | tcx | cls_bpf } ]\n"
		"          [ taps [ tap-prefix NAME ] [ tap-owner USER[:GROUP] ] [ multi-queue ]\n"
		"                 [ netns-prefix NAME ] ]\n"
		"  latebind pool destroy dev UNDERLAY\n"
		"  latebind apply [ -f FILE | -d DIR ] [ --dry-run ] [ --force ]\n"
		"          [ --wait-underlay SECONDS ]   pools as the config says (default DIR %s)\n"
		"  latebind bind TUNNEL vni VNI [ inner-mac MAC ]      TUNNEL: a tunnel or its slot's tap\n"
		"  latebind unbind TUNNEL\n"
		"  latebind show [ TUNNEL ]\n"
		"  latebind stats [ TUNNEL ]\n"
		"  latebind gc                      remove pins of datapaths whose device is gone\n"
		"  latebind exporter [ listen ADDR:PORT ]   Prometheus metrics on /metrics\n"
		"          (default %s; ADDR: IPv4, or IPv6 in brackets)\n"
		"  latebind bench bind dev UNDERLAY [ ops N ] [ creates N ] [ churn [ WORKERS ] ]\n"
		"          [ samples DIR ]\n"
		"  latebind bench scale dev UNDERLAY type { geneve | vxlan } remote ADDR [ ops N ]\n"
		"\n"
		"  pool defaults: prefix %s, dummy-base = the top COUNT VNIs (16777216 - COUNT),\n"
		"  dstport 6081 (geneve) or 4789 (vxlan), noudpcsum over IPv4, udpcsum over IPv6,\n"
		"  noipv6 (the tunnels' own IPv6 is off; tenant IPv6 crosses them as L2 frames)\n"
		"\n"
		"  latebind datapath attach dev UNDERLAY [ mode { auto | tcx | cls_bpf } ] [ DP_OPTIONS ]\n"
		"  latebind datapath detach dev UNDERLAY\n"
		"  latebind datapath show dev UNDERLAY\n"
		"  latebind datapath load [ DP_OPTIONS ]\n"
		"  latebind datapath demo\n"
		"\n"
		"DP_OPTIONS := [ dummy-range FIRST-LAST ] [ dummy-base VNI ] [ dummy-count N ]\n"
		"              [ geneve-port PORT ] [ vxlan-port PORT ]\n"
		"  defaults: dummy-range %u-%u geneve-port %u vxlan-port %u\n"
		"\n"
		"  -j          JSON output\n"
		"  -n NETNS    run in the named network namespace (like ip -n)\n"
		"  -v          verbose: library debug messages on stderr\n",
		CONF_DIR_DEFAULT, EXPORTER_LISTEN_DEFAULT, LATEBIND_PREFIX_DEFAULT, LB_DUMMY_MIN_DEFAULT, LB_DUMMY_MAX_DEFAULT, LB_GENEVE_PORT_DEFAULT,
		LB_VXLAN_PORT_DEFAULT);
}

/* "latebind: MSG" on stderr; @msg may quote device names and arguments. */
static void print_stderr(const char *msg)
{
	fputs("latebind: ", stderr);
	text_write_string(stderr, msg);
	fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (out_is_json()) {
		fputs("{\"error\":", stdout);
		json_write_string(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	} else {
		print_stderr(msg);
	}
	return 1;
}

int cli_lib_error(int err)
{
	const char *msg = latebind_last_error();

	return cli_error("%s", *msg ? msg : strerror(-err));
}

int cli_dispatch(const struct cli_cmd *cmds, const char *what, int argc, char **argv)
{
	const struct cli_cmd *hit = NULL;

	if (argc < 1)
		return cli_error("%s: a command is missing; try 'latebind help'", what);
	for (const struct cli_cmd *c = cmds; c->name; c++) {
		if (!strcmp(argv[0], c->name))
			return c->fn(argc - 1, argv + 1);
		if (matches(argv[0], c->name)) {
			if (hit)
				return cli_error("%s: \"%s\" is ambiguous; try 'latebind help'", what,
						 argv[0]);
			hit = c;
		}
	}
	if (!hit)
		return cli_error("%s: unknown command \"%s\"; try 'latebind help'", what, argv[0]);
	return hit->fn(argc - 1, argv + 1);
}

static void log_to_stderr(enum latebind_log_level level, const char *msg, void *ctx)
{
	char line[512];

	/* Errors reach the user through cli_error; the rest only with -v. */
	if (level == LATEBIND_LOG_ERROR || (!cli_verbose && level != LATEBIND_LOG_WARN))
		return;
	/* libbpf's messages (a verifier log) span lines: keep them apart. */
	for (const char *nl; (nl = strchr(msg, '\n')); msg = nl + 1) {
		snprintf(line, sizeof(line), "%.*s", (int)(nl - msg), msg);
		print_stderr(line);
	}
	print_stderr(msg);
}

/* Enter a named network namespace with setns only: no new mount namespace,
 * so bpffs pins stay the host's. */
static int enter_netns(const char *name)
{
	char path[300];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_error("cannot open network namespace \"%s\": %s", name, strerror(errno));
	if (setns(fd, CLONE_NEWNET)) {
		close(fd);
		return cli_error("cannot enter network namespace \"%s\": %s", name,
				 strerror(errno));
	}
	close(fd);
	return 0;
}

static int do_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static const struct cli_cmd top_cmds[] = {
	{ "pool", do_pool },
	{ "apply", do_apply },
	{ "bind", do_bind },
	{ "unbind", do_unbind },
	{ "show", do_show },
	{ "stats", do_stats },
	{ "bench", do_bench },
	{ "gc", do_gc },
	{ "exporter", do_exporter },
	{ "datapath", do_datapath },
	{ "help", do_help },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const char *netns = NULL;
	bool json = false;
	int opt, ret;

	while ((opt = getopt(argc, argv, "+jn:vh")) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'v':
			cli_verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	out_init(stdout, json);
	latebind_set_log(log_to_stderr, NULL);
	/* A verifier refusal is worth showing: the CLI asks for libbpf's messages. */
	latebind_route_libbpf_log(true);
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	if (netns && enter_netns(netns))
		return 1;
	ret = cli_dispatch(top_cmds, "latebind", argc - optind, argv + optind);
	return ret ? 1 : 0;
}
