// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Background churn for benchmarks: a child process in a network namespace
 * of its own creates and deletes veth pairs in a loop, as a host does while
 * other VMs come and go. RTNL is global, so every delete's RCU grace period
 * holds up netlink work in every namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include "churn.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

/* One request, acked; returns 0 or -errno. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[8192];
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	return mnl_cb_run(buf, (size_t)n, 0, 0, NULL, NULL) < 0 ? -errno : 0;
}

static int veth_add(struct mnl_socket *nl, const char *a, const char *b)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm, *peer;
	struct nlattr *info, *data, *pinfo;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, a);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	memset(peer, 0, sizeof(*peer));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, b);
	mnl_attr_nest_end(nlh, pinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return talk(nl, nlh);
}

static int link_del(struct mnl_socket *nl, const char *name)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_DELLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	(void)ifm;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return talk(nl, nlh);
}

static void churn_loop(int report_fd)
{
	struct mnl_socket *nl;
	unsigned long cycles = 0;

	signal(SIGTERM, on_term);
	if (unshare(CLONE_NEWNET) || !(nl = mnl_socket_open(NETLINK_ROUTE)) ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID))
		_exit(2);
	while (!stop) {
		if (veth_add(nl, "churn0", "churn1") || link_del(nl, "churn0"))
			_exit(3);
		cycles++;
	}
	if (write(report_fd, &cycles, sizeof(cycles)) != sizeof(cycles))
		_exit(4);
	_exit(0);
}

int churn_start(struct churn *c)
{
	int fds[2];

	if (pipe(fds))
		return -errno;
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		close(fds[0]);
		churn_loop(fds[1]);
	}
	close(fds[1]);
	c->report_fd = fds[0];
	/* Let it get going: a first create/delete cycle. */
	usleep(100 * 1000);
	return 0;
}

int churn_stop(struct churn *c, unsigned long *cycles)
{
	int status;

	*cycles = 0;
	kill(c->pid, SIGTERM);
	if (waitpid(c->pid, &status, 0) < 0)
		return -errno;
	if (read(c->report_fd, cycles, sizeof(*cycles)) != sizeof(*cycles)) {
		close(c->report_fd);
		return -EIO;
	}
	close(c->report_fd);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}
