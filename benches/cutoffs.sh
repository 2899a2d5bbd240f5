#!/usr/bin/env bash
# Throughput of `stepcare cutoffs` against a plain CSV pass over the same file.
#
#   bash benches/cutoffs.sh            # 10,000,000 rows
#   ROWS=1000000 bash benches/cutoffs.sh
#
# It writes a synthetic screening export (EPDS- and PHQ-9-like integer totals,
# a continuous marker with three decimals, a group and an interview result,
# 1 % blank totals) under the cargo target directory, builds the release
# binary and a minimal baseline program, then in the same run times (best of
# three each):
#   - baseline: the `csv` crate reading every record into one reused
#     ByteRecord and parsing the score column, nothing else;
#   - `stepcare cutoffs` on the integer score (JSON to /dev/null);
#   - the same with --by group and --compare phq9_total;
#   - the continuous marker (sorted path, several thousand distinct values).
# The ratio to the baseline is the figure that matters; peak memory comes from
# /usr/bin/time when it is installed.
set -euo pipefail

ROWS=${ROWS:-10000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench-cutoffs
DATA=$WORK/cutoffs-$ROWS.csv
mkdir -p "$WORK"

if [ ! -s "$DATA" ]; then
    echo "writing $ROWS rows to $DATA ..." >&2
    awk -v n="$ROWS" 'BEGIN {
        srand(20240605)
        print "id,epds_total,phq9_total,marker,group,interview"
        for (i = 1; i <= n; i++) {
            is_case = rand() < 0.15
            z1 = rand() + rand() + rand() - 1.5
            z2 = rand() + rand() + rand() - 1.5
            if (is_case) { e = 14 + 8 * z1; p = 12 + 8 * (0.6 * z1 + 0.4 * z2); m = 0.9 + 0.8 * z2 }
            else         { e =  6 + 7 * z1; p =  5 + 7 * (0.6 * z1 + 0.4 * z2); m = 0.5 + 0.8 * z2 }
            e = int(e + 0.5); if (e < 0) e = 0; if (e > 30) e = 30
            p = int(p + 0.5); if (p < 0) p = 0; if (p > 27) p = 27
            es = (rand() < 0.01) ? "" : e
            printf "%d,%s,%d,%.3f,%s,%s\n", i, es, p, m, (rand() < 0.45 ? "pregnant" : "postpartum"), (is_case ? "depressed" : "not depressed")
        }
    }' > "$DATA"
fi
BYTES=$(wc -c < "$DATA")

echo "building release binaries ..." >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin stepcare
BIN=$TARGET/release/stepcare

BASE=$WORK/csv-pass
mkdir -p "$BASE/src"
cat > "$BASE/Cargo.toml" <<'TOML'
[package]
name = "csv-pass"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
csv = "1.4"

[profile.release]
codegen-units = 1
lto = true

[workspace]
TOML
cat > "$BASE/src/main.rs" <<'RUST'
//! Baseline: read every record once and parse one integer column.
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let mut reader = csv::ReaderBuilder::new().buffer_capacity(1 << 16).from_path(path).expect("open");
    let mut record = csv::ByteRecord::new();
    let (mut rows, mut sum) = (0_u64, 0_i64);
    while reader.read_byte_record(&mut record).expect("read") {
        rows += 1;
        let mut v = 0_i64;
        for &b in record.get(1).unwrap_or_default() {
            v = v * 10 + i64::from(b - b'0');
        }
        sum += v;
    }
    println!("{rows} rows, score sum {sum}");
}
RUST
CARGO_TARGET_DIR=$BASE/target cargo build --release --quiet --offline --manifest-path "$BASE/Cargo.toml" 2>/dev/null \
    || CARGO_TARGET_DIR=$BASE/target cargo build --release --quiet --manifest-path "$BASE/Cargo.toml"
BASELINE=$BASE/target/release/csv-pass

# best_of3 CMD...: prints the best wall time in seconds of three runs.
best_of3() {
    local best="" t0 t1 t
    for _ in 1 2 3; do
        t0=$(date +%s%N)
        "$@" > /dev/null
        t1=$(date +%s%N)
        t=$(( (t1 - t0) / 1000000 ))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    awk -v ms="$best" 'BEGIN { printf "%.3f", ms / 1000 }'
}

peak_mb() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%M" "$@" 2>&1 > /dev/null | tail -1 | awk '{ printf "%.0f", $1 / 1024 }'
    else
        echo "n/a"
    fi
}

COMMON=(cutoffs --input "$DATA" --reference interview --positive depressed --format json)
base=$(best_of3 "$BASELINE" "$DATA")
int=$(best_of3 "$BIN" "${COMMON[@]}" --score epds_total --cutoff 10 --cutoff 13)
full=$(best_of3 "$BIN" "${COMMON[@]}" --score epds_total --cutoff 10 --cutoff 13 --by group --compare phq9_total)
cont=$(best_of3 "$BIN" "${COMMON[@]}" --score marker)

report() {
    awk -v name="$1" -v t="$2" -v b="$base" -v n="$ROWS" -v mem="$3" \
        'BEGIN { printf "%-44s %8.3f s %8.2f M rows/s %6.2fx baseline %8s MB peak\n", name, t, n / t / 1e6, t / b, mem }'
}

echo
echo "cutoffs benchmark: $ROWS rows, $((BYTES / 1024 / 1024)) MiB, $(nproc) cores"
report "baseline (csv crate, one pass, parse score)" "$base" "$(peak_mb "$BASELINE" "$DATA")"
report "cutoffs --score epds_total" "$int" "$(peak_mb "$BIN" "${COMMON[@]}" --score epds_total)"
report "  + --by group --compare phq9_total" "$full" \
    "$(peak_mb "$BIN" "${COMMON[@]}" --score epds_total --by group --compare phq9_total)"
report "cutoffs --score marker (continuous)" "$cont" "$(peak_mb "$BIN" "${COMMON[@]}" --score marker)"
