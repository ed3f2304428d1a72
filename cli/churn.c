// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Background churn for benchmarks: a child process makes and drops network
 * namespaces with veth pairs in them, in a loop, as a host does while other
 * VMs come and go. RTNL is global, so that work holds up netlink requests in
 * every namespace.
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

/*
 * One cycle is one VM coming and going: a fresh network namespace with a
 * veth pair in it, then the namespace dropped (the kernel's cleanup_net
 * unregisters its devices under RTNL), plus a create and delete of a veth
 * pair the way a tap is made and removed.
 */
static void churn_loop(int report_fd)
{
	unsigned long cycles = 0;

	signal(SIGTERM, on_term);
	while (!stop) {
		struct mnl_socket *nl;

		if (unshare(CLONE_NEWNET) || !(nl = mnl_socket_open(NETLINK_ROUTE)) ||
		    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID))
			_exit(2);
		if (veth_add(nl, "churn0", "churn1") || veth_add(nl, "churn2", "churn3") ||
		    link_del(nl, "churn2"))
			_exit(3);
		mnl_socket_close(nl); /* the namespace goes with its last reference */
		cycles++;
	}
	if (write(report_fd, &cycles, sizeof(cycles)) != sizeof(cycles))
		_exit(4);
	_exit(0);
}

int churn_start(struct churn *c, int workers)
{
	c->workers = 0;
	for (int w = 0; w < workers && w < CHURN_MAX_WORKERS; w++) {
		int fds[2];
		pid_t pid;

		if (pipe(fds))
			return -errno;
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			close(fds[0]);
			churn_loop(fds[1]);
		}
		close(fds[1]);
		c->pid[w] = pid;
		c->report_fd[w] = fds[0];
		c->workers++;
	}
	/* Let them get going. */
	usleep(100 * 1000);
	return 0;
}

int churn_stop(struct churn *c, unsigned long *cycles)
{
	int err = 0;

	*cycles = 0;
	for (int w = 0; w < c->workers; w++)
		kill(c->pid[w], SIGTERM);
	for (int w = 0; w < c->workers; w++) {
		unsigned long n = 0;
		int status;

		if (waitpid(c->pid[w], &status, 0) < 0 ||
		    read(c->report_fd[w], &n, sizeof(n)) != sizeof(n) || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			err = -EIO;
		close(c->report_fd[w]);
		*cycles += n;
	}
	return err;
}
