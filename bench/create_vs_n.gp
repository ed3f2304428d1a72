# Create on demand and bind against the tunnels already present (bench/create_vs_n.sh).
# gnuplot -e "dir='build/bench'; host=1; vm=1" bench/create_vs_n.gp
# (host=0: no VXLAN panel; vm=0: no Geneve VM panel)
set terminal pngcairo size 1200,560 font ",11"
set output dir."/create-vs-n.png"
set multiplot layout 1,host+vm title "latebind: create on demand vs bind, against N tunnels already in the namespace"
set xlabel "tunnels present (N)"
set ylabel "latency (µs, log scale)"
set logscale y
set grid
set key right center font ",9" opaque box
set format y "%g"
f(s) = sprintf("%s/create_vs_n-%s.dat", dir, s)
if (host) {
	set title "VXLAN, this host"
	plot f("vxlan") using 1:5 with linespoints lw 2 pt 7 title "create p99", \
	     f("vxlan") using 1:4 with linespoints lw 2 pt 5 title "create p50", \
	     f("vxlan_udev") using 1:4 with points pt 9 ps 1.5 title "create p50, udevd running", \
	     f("vxlan") using 1:3 with linespoints lw 2 dt 2 pt 7 title "bind p99", \
	     f("vxlan") using 1:2 with linespoints lw 2 dt 2 pt 5 title "bind p50"
}
if (vm) {
	set title "Geneve, Debian 6.1 under TCG (ratios only)"
	plot f("geneve_vm") using 1:5 with linespoints lw 2 pt 7 title "create p99", \
	     f("geneve_vm") using 1:4 with linespoints lw 2 pt 5 title "create p50", \
	     f("geneve_vm") using 1:3 with linespoints lw 2 dt 2 pt 7 title "bind p99", \
	     f("geneve_vm") using 1:2 with linespoints lw 2 dt 2 pt 5 title "bind p50"
}
unset multiplot
