#!/usr/bin/env bash
# Speed and memory of `stepcare follow-up` on a registry-sized input, against
# `stepcare score --rules` on the same file in the same run.
#
#   bash benches/followup.sh              # 1,000,000 visit rows
#   ROWS=200000 bash benches/followup.sh
#
# It writes a synthetic registry (four EPDS screens per family: pregnancy
# week 20, the home visit, 6 weeks and a rescreen for some; ids shuffled across
# the file so families arrive interleaved), builds the release binary, and times
# (best of three each): `score --rules no-default` (the scoring and rules alone)
# and `follow-up` (the same plus grouping by family and the schedule), printing
# wall time, rows/s, the ratio, and peak memory (from /usr/bin/time when
# installed). Run it twice with different ROWS to see memory follow the number
# of families.
set -euo pipefail

ROWS=${ROWS:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench-followup
DATA=$WORK/registry-$ROWS.csv
mkdir -p "$WORK"

if [ ! -s "$DATA" ]; then
    echo "writing $ROWS rows to $DATA ..." >&2
    awk -v n="$ROWS" 'BEGIN {
        srand(20261129)
        print "id;respondent;screening_date;due_date;birth_date;epds1;epds2;epds3;epds4;epds5;epds6;epds7;epds8;epds9;epds10"
        families = int(n / 4)
        for (i = 0; i < n; i++) {
            f = (i * 7919) % families
            visit = int(i / families)
            # due dates spread over 2026; dates as day offsets from 2026-01-01
            due = 30 + (f % 330)
            day = (visit == 0) ? due - 140 : (visit == 1) ? due + 8 : (visit == 2) ? due + 42 : due + 60
            birth = (visit == 0) ? "" : sprintf("%s", date(due - 2))
            line = sprintf("F%07d;mother;%s;%s;%s", f, date(day), date(due), birth)
            for (k = 1; k <= 10; k++) line = line ";" int(rand() * (k == 10 ? 1.05 : 2.2))
            print line
        }
    }
    function date(d,   y, m, md, dim) {
        y = 2026
        while (d < 0) { y--; d += 365 }
        while (d >= 365) { d -= 365; y++ }
        split("31 28 31 30 31 30 31 31 30 31 30 31", dim, " ")
        m = 1
        while (d >= dim[m]) { d -= dim[m]; m++ }
        return sprintf("%04d-%02d-%02d", y, m, d + 1)
    }' > "$DATA"
fi

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$TARGET/release/stepcare

measure() {
    local best=""
    local mem=""
    for _ in 1 2 3; do
        local start end took
        start=$(date +%s.%N)
        if [ -x /usr/bin/time ]; then
            /usr/bin/time -f "%M" -o "$WORK/mem" "$@" > /dev/null 2> "$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
            mem=$(tail -1 "$WORK/mem")
        else
            "$@" > /dev/null 2> "$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
        fi
        end=$(date +%s.%N)
        took=$(echo "$end - $start" | bc)
        if [ -z "$best" ] || [ "$(echo "$took < $best" | bc)" = 1 ]; then best=$took; fi
    done
    echo "$best ${mem:-?}"
}

read -r score_s score_kb < <(measure "$BIN" score --instrument epds --rules no-default --set respondent=mother --input "$DATA" --format csv)
read -r follow_s follow_kb < <(measure "$BIN" follow-up --rules no-default --instrument epds --input "$DATA" --today 2026-12-07 --format jsonl)
rows_s=$(echo "$ROWS / $follow_s" | bc)
ratio=$(echo "scale=2; $follow_s / $score_s" | bc)
printf '%-34s %8s s  %10s KiB peak\n' "score --rules (baseline)" "$score_s" "$score_kb"
printf '%-34s %8s s  %10s KiB peak  (%s rows/s, %sx the baseline)\n' "follow-up" "$follow_s" "$follow_kb" "$rows_s" "$ratio"
