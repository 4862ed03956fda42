#!/bin/sh
# SPDX-License-Identifier: MIT
# plot-models.sh TABLE SVG: draws edgenpu-bench's table (what make bench
# prints for the models on the NPU) with gnuplot: per model, the NPU's and
# the CPU backend's wall time in the guest (log scale), and the device
# cycles over the roofline (1.0 is the machine's limit).
set -e
table=$1
svg=$2
if ! command -v gnuplot >/dev/null; then
	echo "plot-models: gnuplot is not installed (scripts/setup/host-deps.sh installs it)" >&2
	exit 1
fi
data=$(mktemp)
trap 'rm -f "$data"' EXIT
# model, NPU ms, CPU ms, x roof -- the rows of models, not the comments or header
awk '$1 ~ /\.tflite$/ || $1 == "synthetic" {
	sub(/\.tflite$/, "", $1); r = $5; sub(/x$/, "", r); print $1, $2, $9, r }' \
	"$table" > "$data"
if [ ! -s "$data" ]; then
	echo "plot-models: no model rows in $table" >&2
	exit 1
fi
gnuplot <<GP
set terminal svg size 960,720 dynamic font "sans,11"
set output "$svg"
set multiplot layout 2,1 title "EdgeNPU models (make bench)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -25 noenhanced
set grid ytics
set logscale y
set ylabel "ms per inference (guest wall time, median of 10)"
plot "$data" using 2:xtic(1) title "NPU", "" using 3 title "CPU backend"
unset logscale y
set ylabel "device cycles / roofline"
set yrange [0:*]
plot "$data" using 4:xtic(1) title "x the roofline (1.0 = the SKU's limit)", \
     1 with lines dashtype 2 lc rgb "black" notitle
unset multiplot
GP
echo "wrote $svg"
