# plot.gp - bench.png from bench-plot.dat (written by build/bench/bench)
# gnuplot -e "datafile='...'; outfile='...'; title='...'" bench/plot.gp
# Columns: keys, right wrong malformed unknown permit (us),
#          generate rename delete (ms), commit fsync_file fsync_dir (ms)
set terminal pngcairo size 1400,640 font "sans,10"
set output outfile
set datafile commentschars "#"
set multiplot layout 1,2 title "pam\\_apikey benchmark, " . title . " (medians)"

set logscale x
set xrange [500:2000000]
set format x "10^{%L}"
set xlabel "keys in the database"
set grid
set key below horizontal maxrows 4 width 2

set title "One login: pam\\_start\\_confdir + pam\\_authenticate + pam\\_end"
set ylabel "microseconds"
set yrange [0:*]
plot datafile using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "right key", \
     datafile using 1:3 with linespoints lw 2 pt 5 lc rgb "#2ca02c" title "wrong key", \
     datafile using 1:4 with linespoints lw 2 pt 9 lc rgb "#9467bd" title "malformed key", \
     datafile using 1:5 with linespoints lw 2 pt 11 lc rgb "#ff7f0e" title "unknown user", \
     datafile using 1:6 with linespoints lw 2 pt 13 dt 2 lc rgb "black" title "pam\\_permit (preloaded)"

set title "One key change"
set ylabel "milliseconds"
set logscale y
set yrange [0.1:100]
set format y "%g"
plot datafile using 1:7 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "apikeyctl generate", \
     datafile using 1:8 with linespoints lw 2 pt 5 lc rgb "#2ca02c" title "apikeyctl rename", \
     datafile using 1:9 with linespoints lw 2 pt 9 lc rgb "#9467bd" title "apikeyctl delete", \
     datafile using 1:10 with linespoints lw 1 dt 2 pt 6 lc rgb "#8c564b" title "store\\_commit (in process)", \
     datafile using 1:11 with linespoints lw 1 dt 2 pt 4 lc rgb "#7f7f7f" title "fsync of an account file", \
     datafile using 1:12 with linespoints lw 1 dt 4 pt 8 lc rgb "#bcbd22" title "rename + fsync of the directory"

unset multiplot
