# Latency distributions of bind and on-demand create, idle and under churn.
# gnuplot -e "dir='build/bench'" bench/latency.gp
set terminal pngcairo size 1000,600 font ",11"
set output dir."/latency.png"
set title "latebind: bind (BPF maps) vs creating a tunnel on demand (netlink)"
set xlabel "latency (µs, log scale)"
set ylabel "fraction of calls at or below"
set logscale x
set grid
set key bottom right
set yrange [0:1]
cdf(f) = sprintf("< sort -g %s/%s.txt | awk '{a[NR]=$1} END {for (i = 1; i <= NR; i++) print a[i], i / NR}'", dir, f)
plot cdf("bind_idle") with lines lw 2 title "bind, idle", \
     cdf("bind_churn") with lines lw 2 dt 2 title "bind, under RTNL churn", \
     cdf("create_idle") with lines lw 2 title "create on demand, idle", \
     cdf("create_churn") with lines lw 2 dt 2 title "create on demand, under RTNL churn"
