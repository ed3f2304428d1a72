/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LB_CLI_H
#define LB_CLI_H

#include <stdbool.h>

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/* Run the command in @cmds whose name @argv[0] uniquely prefixes. */
int cli_dispatch(const struct cli_cmd *cmds, const char *what, int argc, char **argv);
/* Print an error (text to stderr, or {"error": ...} under -j); returns 1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Error for a failed library call: its last message. */
int cli_lib_error(int err);

extern bool cli_verbose;

int do_datapath(int argc, char **argv);
int do_datapath_demo(int argc, char **argv);
int do_pool(int argc, char **argv);
int do_bind(int argc, char **argv);
int do_unbind(int argc, char **argv);
int do_show(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_bench(int argc, char **argv);
int do_gc(int argc, char **argv);
int do_apply(int argc, char **argv);
int do_exporter(int argc, char **argv);

#endif
