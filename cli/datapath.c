// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* latebind datapath { attach | detach | load | demo } */
#include <stdio.h>
#include <string.h>
#include <latebind/latebind.h>
#include <latebind/bench.h>
#include "args.h"
#include "cli.h"
#include "output.h"

/*
 * Parse [dev DEV] [mode MODE] and DP_OPTIONS; @dev and @mode are NULL when
 * the command takes no device.
 */
static int parse_dp_args(int argc, char **argv, const char **dev,
			 enum latebind_attach_mode *mode, struct latebind_datapath_config *cfg)
{
	char err[200];

	latebind_datapath_config_init(cfg);
	while (argc > 0) {
		int used = 2;

		if (dev && !strcmp(argv[0], "dev")) {
			if (argc < 2)
				return cli_error("\"dev\" needs a device name");
			*dev = argv[1];
		} else if (mode && !strcmp(argv[0], "mode")) {
			if (argc < 2)
				return cli_error("\"mode\" needs auto, tcx or cls_bpf");
			if (!strcmp(argv[1], "auto"))
				*mode = LATEBIND_ATTACH_NONE;
			else if (!strcmp(argv[1], "tcx"))
				*mode = LATEBIND_ATTACH_TCX;
			else if (!strcmp(argv[1], "cls_bpf"))
				*mode = LATEBIND_ATTACH_CLS_BPF;
			else
				return cli_error("invalid mode \"%s\": auto, tcx or cls_bpf", argv[1]);
		} else {
			used = parse_dp_option(argc, argv, cfg, err, sizeof(err));
			if (used < 0)
				return cli_error("%s", err);
			if (used == 0)
				return cli_error("unknown argument \"%s\"; try 'latebind help'",
						 argv[0]);
		}
		argc -= used;
		argv += used;
	}
	if (dev && !*dev)
		return cli_error("\"dev UNDERLAY\" is required");
	return 0;
}

static void print_config(const struct latebind_datapath_config *cfg)
{
	out_uint("dummy_min", "dummy-range %llu", cfg->dummy_base);
	out_uint("dummy_max", "-%llu", cfg->dummy_base + cfg->dummy_count - 1);
	out_uint("geneve_port", " geneve-port %llu", cfg->geneve_port);
	out_uint("vxlan_port", " vxlan-port %llu\n", cfg->vxlan_port);
}

static int do_attach(int argc, char **argv)
{
	struct latebind_datapath_config cfg;
	enum latebind_attach_mode mode = LATEBIND_ATTACH_NONE;
	const char *dev = NULL;
	char dir[256];
	int err;

	if (parse_dp_args(argc, argv, &dev, &mode, &cfg))
		return 1;
	err = latebind_datapath_attach(dev, &cfg, &mode);
	if (err)
		return cli_lib_error(err);
	latebind_datapath_pin_dir(dev, dir, sizeof(dir));
	out_open_object(NULL);
	out_string("dev", "attached to %s", dev);
	out_string("mode", " mode %s", latebind_attach_mode_name(mode));
	out_string("pins", " pins %s\n", dir);
	print_config(&cfg);
	out_close_object();
	out_finish();
	return 0;
}

static int do_detach(int argc, char **argv)
{
	const char *dev = NULL;
	int err;

	if (argc != 2 || strcmp(argv[0], "dev"))
		return cli_error("usage: latebind datapath detach dev UNDERLAY");
	dev = argv[1];
	err = latebind_datapath_detach(dev);
	if (err)
		return cli_lib_error(err);
	out_open_object(NULL);
	out_string("detached", "detached from %s\n", dev);
	out_close_object();
	out_finish();
	return 0;
}

/* Load both programs through the verifier, print them, unload. */
static int do_load(int argc, char **argv)
{
	struct latebind_datapath_config cfg;
	struct latebind_datapath *dp;
	uint32_t eg, in;
	int err;

	if (parse_dp_args(argc, argv, NULL, NULL, &cfg))
		return 1;
	err = latebind_datapath_open(&cfg, &dp);
	if (!err)
		err = latebind_datapath_prog_id(dp, LATEBIND_EGRESS, &eg);
	if (!err)
		err = latebind_datapath_prog_id(dp, LATEBIND_INGRESS, &in);
	if (err) {
		latebind_datapath_close(dp);
		return cli_lib_error(err);
	}
	out_open_object(NULL);
	out_open_array("programs");
	out_open_object(NULL);
	out_string("name", "%s", "lb_egress");
	out_uint("id", " id %llu loaded\n", eg);
	out_close_object();
	out_open_object(NULL);
	out_string("name", "%s", "lb_ingress");
	out_uint("id", " id %llu loaded\n", in);
	out_close_object();
	out_close_array();
	print_config(&cfg);
	out_close_object();
	out_finish();
	latebind_datapath_close(dp);
	return 0;
}

static int do_dp_show(int argc, char **argv)
{
	struct latebind_datapath_status st;
	char dir[256];
	int err;

	if (argc != 2 || strcmp(argv[0], "dev"))
		return cli_error("usage: latebind datapath show dev UNDERLAY");
	err = latebind_datapath_status(argv[1], &st);
	if (!err)
		err = latebind_datapath_pin_dir(argv[1], dir, sizeof(dir));
	if (err)
		return cli_lib_error(err);
	out_open_object(NULL);
	out_string("dev", "dev %s", argv[1]);
	out_string("mode", " mode %s", latebind_attach_mode_name(st.mode));
	out_uint("egress_prog_id", " lb_egress id %llu", st.egress_prog_id);
	out_uint("ingress_prog_id", " lb_ingress id %llu\n", st.ingress_prog_id);
	out_string("pins", "pins %s\n", dir);
	print_config(&st.cfg);
	out_close_object();
	out_finish();
	return 0;
}

static const struct cli_cmd dp_cmds[] = {
	{ "show", do_dp_show },
	{ "attach", do_attach },
	{ "detach", do_detach },
	{ "load", do_load },
	{ "demo", do_datapath_demo },
	{ NULL, NULL },
};

int do_datapath(int argc, char **argv)
{
	return cli_dispatch(dp_cmds, "datapath", argc, argv);
}
