// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include "internal.h"
#include "ingress.h"

LATEBIND_API void latebind_datapath_config_init(struct latebind_datapath_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dummy_base = LB_DUMMY_MIN_DEFAULT;
	cfg->dummy_count = LB_DUMMY_MAX_DEFAULT - LB_DUMMY_MIN_DEFAULT + 1;
	cfg->geneve_port = LB_GENEVE_PORT_DEFAULT;
	cfg->vxlan_port = LB_VXLAN_PORT_DEFAULT;
}

LATEBIND_API int latebind_datapath_config_check(const struct latebind_datapath_config *cfg)
{
	return lb_datapath_config_check(cfg, false);
}

/* @one_protocol: a pool's datapath serves one protocol; port 0 turns the other off. */
int lb_datapath_config_check(const struct latebind_datapath_config *cfg, bool one_protocol)
{
	uint64_t last = (uint64_t)cfg->dummy_base + cfg->dummy_count - 1;

	if (cfg->dummy_base > LB_VNI_MAX)
		return lb_err(-EINVAL, "dummy range: first VNI %u is above the largest VNI %u",
			      cfg->dummy_base, LB_VNI_MAX);
	if (cfg->dummy_count == 0)
		return lb_err(-EINVAL, "dummy range is empty: it must hold at least 1 VNI");
	if (cfg->dummy_count > LB_DUMMY_RANGE_MAX)
		return lb_err(-EINVAL, "dummy range of %u VNIs is too large: at most %u",
			      cfg->dummy_count, LB_DUMMY_RANGE_MAX);
	if (last > LB_VNI_MAX)
		return lb_err(-EINVAL, "dummy range %u-%llu runs past the largest VNI %u",
			      cfg->dummy_base, (unsigned long long)last, LB_VNI_MAX);
	if (one_protocol && !cfg->geneve_port != !cfg->vxlan_port)
		return 0;
	if (cfg->geneve_port == 0)
		return lb_err(-EINVAL, "geneve port 0 is not a valid UDP port");
	if (cfg->vxlan_port == 0)
		return lb_err(-EINVAL, "vxlan port 0 is not a valid UDP port");
	if (cfg->geneve_port == cfg->vxlan_port)
		return lb_err(-EINVAL, "geneve and vxlan ports are both %u: they must differ",
			      cfg->geneve_port);
	return 0;
}

void lb_config_to_abi(const struct latebind_datapath_config *cfg, struct lb_config *abi)
{
	memset(abi, 0, sizeof(*abi));
	abi->version = LB_ABI_VERSION;
	abi->dummy_min = cfg->dummy_base;
	abi->dummy_max = cfg->dummy_base + cfg->dummy_count - 1;
	abi->geneve_port = cfg->geneve_port;
	abi->vxlan_port = cfg->vxlan_port;
	abi->ingress_buckets = lb_itab_buckets_for(cfg->dummy_count);
	/* A seed nobody knows: no sender picks keys that share buckets. */
	if (getrandom(&abi->ingress_seed, sizeof(abi->ingress_seed), GRND_NONBLOCK) !=
	    sizeof(abi->ingress_seed))
		abi->ingress_seed = (uint32_t)time(NULL) ^ (uint32_t)getpid() * 2654435761U;
}

int lb_vni_check(uint32_t vni, uint32_t dummy_base, uint32_t dummy_count)
{
	uint32_t last = dummy_base + dummy_count - 1;

	if (vni > LB_VNI_MAX)
		return lb_err(-ERANGE, "VNI %u is outside 0-%u", vni, LB_VNI_MAX);
	if (vni >= dummy_base && vni <= last)
		return lb_err(-EINVAL, "VNI %u is inside the dummy range %u-%u", vni, dummy_base,
			      last);
	return 0;
}

int lb_config_set_flag(int fd, uint32_t flag, struct lb_config *out)
{
	struct lb_config cfg;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, &cfg))
		return lb_err(-errno, "cannot read lb_config: %s", strerror(errno));
	if (!(cfg.flags & flag)) {
		cfg.flags |= flag;
		if (bpf_map_update_elem(fd, &zero, &cfg, BPF_EXIST))
			return lb_err(-errno, "cannot write lb_config: %s", strerror(errno));
	}
	if (out)
		*out = cfg;
	return 0;
}
