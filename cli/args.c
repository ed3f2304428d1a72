// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "args.h"

bool matches(const char *arg, const char *keyword)
{
	size_t n = strlen(arg);

	return n && n <= strlen(keyword) && !strncmp(arg, keyword, n);
}

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s) || (hex && !isxdigit((unsigned char)s[2])))
		return -EINVAL;
	/* Never octal: a zero-padded VNI read as octal lands on another tenant. */
	if (!hex && s[0] == '0' && s[1])
		return isdigit((unsigned char)s[1]) ? -EDOM : -EINVAL;
	errno = 0;
	v = strtoull(hex ? s + 2 : s, &end, hex ? 16 : 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

const char *parse_u32_why(int err)
{
	switch (err) {
	case -EDOM:
		return "a leading zero is refused (numbers are decimal, or hex with 0x)";
	case -ERANGE:
		return "out of range";
	default:
		return "not a number (decimal, or hex with 0x)";
	}
}

int parse_vni_range(const char *s, uint32_t *base, uint32_t *count, char *err, size_t errlen)
{
	char first[32];
	const char *dash = strchr(s, '-');
	uint32_t a, b;
	size_t n;
	int rc;

	if (!dash || dash == s || !dash[1] || (n = dash - s) >= sizeof(first)) {
		snprintf(err, errlen, "dummy range \"%s\" is not FIRST-LAST", s);
		return -EINVAL;
	}
	memcpy(first, s, n);
	first[n] = 0;
	if ((rc = parse_u32(first, 0, LB_VNI_MAX, &a)) || (rc = parse_u32(dash + 1, 0, LB_VNI_MAX, &b))) {
		snprintf(err, errlen, "dummy range \"%s\": %s; VNIs are 0-%u", s, parse_u32_why(rc),
			 LB_VNI_MAX);
		return -EINVAL;
	}
	if (b < a) {
		snprintf(err, errlen, "dummy range %u-%u is inverted: the last VNI is below the first",
			 a, b);
		return -EINVAL;
	}
	*base = a;
	*count = b - a + 1;
	return 0;
}

int parse_dp_option(int argc, char **argv, struct latebind_datapath_config *cfg, char *err,
		    size_t errlen)
{
	const char *kw = argv[0];
	uint32_t v;
	int ret;

	if (strcmp(kw, "dummy-base") && strcmp(kw, "dummy-count") && strcmp(kw, "dummy-range") &&
	    strcmp(kw, "geneve-port") && strcmp(kw, "vxlan-port"))
		return 0;
	if (argc < 2) {
		snprintf(err, errlen, "\"%s\" needs a value", kw);
		return -EINVAL;
	}
	if (!strcmp(kw, "dummy-range")) {
		ret = parse_vni_range(argv[1], &cfg->dummy_base, &cfg->dummy_count, err, errlen);
		return ret ? ret : 2;
	}
	if (!strcmp(kw, "dummy-base")) {
		if ((ret = parse_u32(argv[1], 0, LB_VNI_MAX, &v)))
			goto bad;
		cfg->dummy_base = v;
	} else if (!strcmp(kw, "dummy-count")) {
		if ((ret = parse_u32(argv[1], 0, UINT32_MAX, &v)))
			goto bad;
		cfg->dummy_count = v;
	} else {
		/* Port 0 parses, so that the library names the problem. */
		if ((ret = parse_u32(argv[1], 0, 65535, &v)))
			goto bad;
		if (!strcmp(kw, "geneve-port"))
			cfg->geneve_port = v;
		else
			cfg->vxlan_port = v;
	}
	return 2;
bad:
	snprintf(err, errlen, "invalid %s \"%s\": %s%s", kw, argv[1], parse_u32_why(ret),
		 !strcmp(kw, "dummy-base")    ? "; a VNI is 0-16777215"
		 : !strcmp(kw, "dummy-count") ? ""
					      : "; a port is 1-65535");
	return -EINVAL;
}

int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)strtoul((char[]){ s[3 * i], s[3 * i + 1], 0 }, NULL, 16);
	return 0;
}

int parse_owner(const char *val, struct latebind_slot_spec *slots, char *err, size_t errlen)
{
	char user[256], *group;

	if (strlen(val) >= sizeof(user)) {
		snprintf(err, errlen, "\"%.32s...\": too long", val);
		return -EINVAL;
	}
	snprintf(user, sizeof(user), "%s", val);
	group = strchr(user, ':');
	if (group)
		*group++ = 0;
	if (!*user || (group && !*group)) {
		snprintf(err, errlen, "\"%s\": USER[:GROUP]", val);
		return -EINVAL;
	}
	slots->has_owner = true;
	if (parse_u32(user, 0, UINT32_MAX - 1, &slots->owner_uid)) {
		struct passwd *pw = getpwnam(user);

		if (!pw) {
			snprintf(err, errlen, "\"%s\": no user \"%s\"", val, user);
			return -EINVAL;
		}
		slots->owner_uid = pw->pw_uid;
	}
	slots->has_group = group != NULL;
	if (group && parse_u32(group, 0, UINT32_MAX - 1, &slots->owner_gid)) {
		struct group *gr = getgrnam(group);

		if (!gr) {
			snprintf(err, errlen, "\"%s\": no group \"%s\"", val, group);
			return -EINVAL;
		}
		slots->owner_gid = gr->gr_gid;
	}
	return 0;
}

int parse_listen(const char *s, struct sockaddr_storage *ss, unsigned int *len, char *err,
		 size_t errlen)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	const char *colon = strrchr(s, ':');
	char addr[INET6_ADDRSTRLEN + 2];
	size_t n = colon ? (size_t)(colon - s) : 0;
	uint32_t port;
	int ret;

	memset(ss, 0, sizeof(*ss));
	if (!colon || !n || n >= sizeof(addr)) {
		snprintf(err, errlen, "listen \"%s\" is not ADDR:PORT (127.0.0.1:27746, "
			 "[::1]:27746)", s);
		return -EINVAL;
	}
	if ((ret = parse_u32(colon + 1, 1, 65535, &port))) {
		snprintf(err, errlen, "listen \"%s\": port \"%s\" is %s; a port is 1-65535", s,
			 colon + 1, parse_u32_why(ret));
		return -EINVAL;
	}
	memcpy(addr, s, n);
	addr[n] = 0;
	if (addr[0] == '[' && addr[n - 1] == ']') {
		addr[n - 1] = 0;
		if (inet_pton(AF_INET6, addr + 1, &in6->sin6_addr) == 1) {
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons(port);
			*len = sizeof(*in6);
			return 0;
		}
	} else if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	snprintf(err, errlen, "listen \"%s\": \"%.*s\" is not an IPv4 address or an IPv6 "
		 "address in brackets (no host names)", s, (int)n, s);
	return -EINVAL;
}
