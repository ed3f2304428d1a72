# The summary of bench/peers.sh's rounds, shared by its VXLAN part and its
# Geneve part in the VM (bench/peers_geneve.sh): jq -L bench 'include "peers"; ...'.
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def r3: . * 1000 | round / 1000;
# designs($metrics; $rounds), on the rows (one per design and round): per
# design and metric, the median and the values, the median of the ratios to
# plain paired by round with their range, and the rounds won against plain.
# Higher wins for throughput, lower for CPU per packet.
def designs($metrics; $rounds):
	. as $all |
	{tcp_gbps: 1, pps_fwd: 1, pps_rev: 1} as $higher |
	[$all[].design] | unique | map(. as $d |
		{key: $d, value: ($metrics | map(. as $m |
			{key: $m, value: (
				[$all[] | select(.design == $d) | .[$m]] as $v |
				[$rounds[] as $r |
					($all[] | select(.design == $d and .round == $r) | .[$m]) as $x |
					($all[] | select(.design == "plain" and .round == $r) | .[$m]) as $b |
					{ratio: ($x / $b), won: (if $higher[$m] then $x > $b else $x < $b end)}] as $p |
				{median: ($v | median | . * 10 | round / 10), values: $v,
				 ratio_median: ([$p[].ratio] | median | r3),
				 ratio_min: ([$p[].ratio] | min | r3), ratio_max: ([$p[].ratio] | max | r3),
				 rounds_won_vs_plain: ([$p[] | select(.won)] | length)})}) | from_entries)}) | from_entries;
