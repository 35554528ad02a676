#!/bin/sh
# Instructions of one SAC update, whatever else the machine runs: the update script
# (scripts/profile-update.mjs) under callgrind with N updates and with 0, both after the
# same warm-up; the difference of the totals over N is one update, split by where the
# instructions ran (the GEMM micro-kernel, the rest of the GEMM, the other kernels, node
# and V8, libc). Valgrind has no AVX-512: the addon runs its AVX2 path here.
#
#   scripts/callgrind-update.sh DIR [N]       (DIR: a built checkout; env T, B, D, W as the script)
set -eu
dir=${1:?usage: scripts/callgrind-update.sh DIR [N]}
n=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
for k in "$n" 0; do
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$k" node "$here/profile-update.mjs" "$dir" "$k" >"$out/log.$k" 2>&1 &
done
wait
by_object() {
  callgrind_annotate --inclusive=no --threshold=100 "$1" 2>/dev/null | awk '
    /^ *[0-9,]+ \(/ && /:/ {
      n = $1; gsub(",", "", n); obj = "JIT code";
      if (match($0, /\[[^]]*\]$/)) obj = substr($0, RSTART + 1, RLENGTH - 2);
      if (obj ~ /softac.node/) obj = ($0 ~ /gemm_kernel/) ? "softac gemm_kernel" : ($0 ~ /gemm/) ? "softac gemm driver and packing" : "softac other";
      else if (obj ~ /node$/) obj = "node and V8";
      else if (obj == "???") obj = "JIT code";
      s[obj] += n }
    END { for (o in s) printf "%s\t%d\n", o, s[o] }'
}
by_object "$out/cg.$n" | sort >"$out/a"
by_object "$out/cg.0" | sort >"$out/b"
grep -h "calls\|barriers" "$out/log.$n"
join -t "$(printf '\t')" -a 1 -e 0 -o 0,1.2,2.2 "$out/a" "$out/b" | awk -F '\t' -v n="$n" '
  { d = ($2 - $3) / n; if (d > 0) { t += d; row[$1] = d } }
  END { printf "instructions per update: %.1fM\n", t / 1e6; fflush();
        cmd = "sort -rn";
        for (o in row) printf "  %8.2fM  %5.1f%%  %s\n", row[o] / 1e6, 100 * row[o] / t, o | cmd;
        close(cmd) }'
rm -rf "$out"
