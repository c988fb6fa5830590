#!/usr/bin/env bash
# Fuzzing with cargo-fuzz (libFuzzer): see "Fuzzing" in README.md and docs/robustness.md.
#
#   bash scripts/fuzz.sh [TARGET|all] [SECONDS]     fuzz each target for SECONDS (default 60),
#                                                   then fold what it found into the corpus
#   bash scripts/fuzz.sh smoke                      every target briefly (15 s each)
#   bash scripts/fuzz.sh seed                       (re)write the seed inputs into the corpus
#   bash scripts/fuzz.sh minimize [TARGET|all]      minimise the committed corpus
#   bash scripts/fuzz.sh repro TARGET FILE          run one input (a crash) under the fuzz build
#
# Targets: rule_text, facts, structured, api_json, program, differential, bundle, format (fuzz/fuzz_targets/; what each
# does is in fuzz/src/harness.rs; differential compares the engine with the reference model,
# crates/eligo-reference). Environment:
#   FUZZ_RUNS=N       stop after N executions instead of (or as well as) the time
#   FUZZ_JOBS=N       libFuzzer -jobs/-workers (default: one process, one job)
#   FUZZ_RSS_MB=2048  memory limit per process;  FUZZ_TIMEOUT=10  seconds for one input
#   FUZZ_MAX_LEN=4096 longest input tried
#   FUZZ_CORPUS_FILES=200  most files kept in fuzz/corpus/<target>/ by a merge
#   FUZZ_SANITIZER=none  cargo-fuzz --sanitizer: none by default, since the engine is safe Rust
#                     (no unsafe code; a stack overflow still aborts and is caught); "address"
#                     runs about four times slower
#
# The corpus that is committed is fuzz/corpus/<target>/: small and minimised (libFuzzer -merge=1
# keeps only inputs that add coverage). The working corpus of a run is fuzz/corpus.new/<target>/
# (not committed). Crashes are written to fuzz/artifacts/<target>/; once fixed, copy each into
# fuzz/regressions/<target>/ (committed) with a regression test. tests/fuzz_corpus.rs replays the
# corpus and the regressions on stable Rust in the ordinary `cargo test`.
#
# Needs the nightly toolchain and cargo-fuzz: both are installed when missing. Builds go to
# fuzz/target (never the main target/ folder).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(rule_text facts structured api_json program differential bundle format)
RSS_MB=${FUZZ_RSS_MB:-2048}
TIMEOUT=${FUZZ_TIMEOUT:-10}
MAX_LEN=${FUZZ_MAX_LEN:-4096}
CORPUS_FILES=${FUZZ_CORPUS_FILES:-200}
SANITIZER=${FUZZ_SANITIZER:-none}
FUZZ_FLAGS=(-O -a -s "$SANITIZER")

ensure_tools() {
    if ! command -v rustup >/dev/null; then
        echo "error: rustup is needed (https://rustup.rs)" >&2
        exit 2
    fi
    if ! rustup toolchain list | grep -q '^nightly'; then
        echo "== installing the nightly toolchain (cargo-fuzz needs it)"
        rustup toolchain install nightly --profile minimal
    fi
    if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
        echo "== installing cargo-fuzz"
        cargo install cargo-fuzz --locked
    fi
}

build() {
    # -O: release; -a: debug assertions on, so that an arithmetic overflow is a crash, not a
    # silently wrong number.
    cargo +nightly fuzz build "${FUZZ_FLAGS[@]}" "$1"
}

# libFuzzer's flags for one target.
flags() {
    # A precompiled program's body is longer than a rule file that says the same (program: 16 KiB).
    local max_len=$MAX_LEN
    [[ $1 == program ]] && max_len=$((MAX_LEN * 4))
    local flags=(-rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT" -max_len="$max_len" -print_final_stats=1)
    if [[ -n "${FUZZ_JOBS:-}" ]]; then
        flags+=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
    fi
    # differential: libFuzzer's entropic scheduling cost it two thirds of its executions (measured:
    # 79 against 247 a second); its inputs are chosen well enough by coverage alone.
    [[ $1 == differential ]] && flags+=(-entropic=0)
    # format reads rule text, as rule_text does: the same words.
    local dict=fuzz/dictionaries/$1.dict
    [[ $1 == format ]] && dict=fuzz/dictionaries/rule_text.dict
    if [[ -f "$dict" ]]; then
        flags+=(-dict="$dict")
    fi
    echo "${flags[@]}"
}

# Seed inputs, written into the committed corpus (libFuzzer starts from them).
seed() {
    local out
    out=fuzz/corpus/rule_text
    mkdir -p "$out"
    for file in rules/*.rules rules/*/*.rules tests/fixtures/valid/*.rules tests/fixtures/invalid/*.rules; do
        cp "$file" "$out/seed-$(basename "$(dirname "$file")")-$(basename "$file")"
    done
    # The formatter reads rule text as rule_text does.
    out=fuzz/corpus/format
    mkdir -p "$out"
    for file in rules/*.rules rules/*/*.rules tests/fixtures/valid/*.rules tests/fixtures/invalid/*.rules; do
        cp "$file" "$out/seed-$(basename "$(dirname "$file")")-$(basename "$file")"
    done
    out=fuzz/corpus/facts
    mkdir -p "$out"
    local n=0
    for profile in rules/profiles/*.json; do
        case "$profile" in *.expected.json) continue ;; esac
        { printf '\000'; printf '2025-03-01\n'; cat "$profile"; } >"$out/seed-$(basename "$profile")"
        n=$((n + 1))
    done
    printf '\001%s\n%s' 2024-02-29 '{"household": [{"member_income": "1e400"}, {"member_income": "-0"}], "monthly_income": "NaN", "hukou": "a\u0000b", "birth_date": "2025-02-30"}' >"$out/seed-hostile.json"
    printf '\002%s\n%s' 2025-03-01 '{"hukou": "上海", "hukou": "北京"}' >"$out/seed-duplicate.json"
    out=fuzz/corpus/structured
    mkdir -p "$out"
    for i in $(seq 1 24); do
        head -c $((64 + i * 24)) /dev/urandom >"$out/seed-random-$i"
    done
    # The differential target reads its bytes as `structured` does (the generator's choices).
    out=fuzz/corpus/differential
    mkdir -p "$out"
    for file in fuzz/corpus/structured/*; do
        cp "$file" "$out/"
    done
    out=fuzz/corpus/api_json
    mkdir -p "$out"
    for file in tests/fixtures/valid/*.rules; do
        { printf 'a.rules\377'; cat "$file"; printf '\377{}\3772025-03-01\377en'; } >"$out/seed-$(basename "$file")"
    done
    for profile in rules/profiles/*.json; do
        case "$profile" in *.expected.json) continue ;; esac
        { cat "$profile"; printf '\3772025-03-01\377zh'; } >"$out/seed-data-$(basename "$profile")"
    done
    # The bodies of precompiled rule sets (`eligo build`), without the header and the checksum,
    # which the harness puts back.
    out=fuzz/corpus/program
    mkdir -p "$out"
    local header=$((6 + 2 + 1 + $(awk -F'"' '/^version = / { print length($2); exit }' Cargo.toml)))
    for file in tests/fixtures/valid/*.rules; do
        local built
        built=$(mktemp)
        cargo run --quiet --bin eligo -- build "$file" -o "$built" >/dev/null
        tail -c +$((header + 1)) "$built" | head -c -8 >"$out/seed-$(basename "$file" .rules)"
        rm -f "$built"
    done
    # Signed bundles (fuzz/src/harness.rs `bundle`): edits of the harness's own bundle, and whole files.
    out=fuzz/corpus/bundle
    mkdir -p "$out"
    printf '\001' >"$out/seed-as-signed"
    printf '\001\000\200\001' >"$out/seed-flip-middle"
    printf '\001\003\100\000' >"$out/seed-cut"
    printf '\001\001\377\000' >"$out/seed-append"
    printf '\000ELIGO-SIGNED\000\001\000\001\000' >"$out/seed-no-key-id"
    printf '\002' >"$out/seed-manifest-as-signed"
    printf '\002\000\300\001' >"$out/seed-manifest-flip"
    printf '\002\001\340\000\001\340\000' >"$out/seed-manifest-longer"
    local unsigned
    unsigned=$(mktemp)
    cargo run --quiet --bin eligo -- build tests/fixtures/valid/elderly_allowance.rules -o "$unsigned" >/dev/null
    { printf '\000'; cat "$unsigned"; } >"$out/seed-unsigned"
    rm -f "$unsigned"
}

# Folds the working corpus into the committed one: libFuzzer's merge keeps the inputs that reach
# code no smaller input reaches (edges, not hit counts), and of those the CORPUS_FILES that reach
# the most, so that the committed corpus stays small.
merge() {
    local target=$1 work=fuzz/corpus.new/$1 committed=fuzz/corpus/$1
    local merged control
    merged=$(mktemp -d)
    control=$(mktemp)
    mkdir -p "$work"
    # shellcheck disable=SC2046
    cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$target" "$merged" "$committed" "$work" -- -merge=1 -use_counters=0 \
        -merge_control_file="$control" $(flags "$target") 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files|ERROR' || true
    # The control file lists the inputs, then "COV <input> <edges first reached by it>…".
    local keep
    keep=$(awk 'NR == 1 { n = $1; next } NR == 2 { next } NR <= n + 2 { path[NR - 3] = $0; next }
                $1 == "COV" && NF > 2 { print NF - 2, path[$2] }' "$control" | sort -k1,1nr |
        awk -v n="$CORPUS_FILES" 'NR <= n { sub(/^[0-9]+ /, ""); print }')  # (not head: pipefail)
    if [[ -n "$keep" ]]; then
        local fresh
        fresh=$(mktemp -d)
        while IFS= read -r file; do
            cp "$file" "$fresh/"
        done <<<"$keep"
        rm -rf "$committed"
        mkdir -p "$(dirname "$committed")"
        mv "$fresh" "$committed"
        chmod 755 "$committed"
    fi
    rm -rf "$merged" "$control"
    echo "== $target corpus: $(find "$committed" -type f | wc -l) files, $(du -sh --apparent-size "$committed" | cut -f1)"
}

run() {
    local target=$1 seconds=$2
    local work=fuzz/corpus.new/$target
    mkdir -p "$work" "fuzz/corpus/$target"
    build "$target"
    local limits=(-max_total_time="$seconds")
    if [[ -n "${FUZZ_RUNS:-}" ]]; then
        limits+=(-runs="$FUZZ_RUNS")
    fi
    echo "== fuzzing $target for ${seconds}s${FUZZ_RUNS:+ or $FUZZ_RUNS runs}"
    local log=fuzz/corpus.new/$target.log
    # shellcheck disable=SC2046
    if cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$target" "$work" "fuzz/corpus/$target" -- "${limits[@]}" $(flags "$target") \
        >"$log" 2>&1; then
        status=0
    else
        status=$?
    fi
    grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$log" || true
    if [[ $status -ne 0 ]]; then
        tail -n 60 "$log"
        echo "== $target: libFuzzer found a problem (exit $status); the input is in fuzz/artifacts/$target/" >&2
        return $status
    fi
    merge "$target"
}

main() {
    local command=${1:-all}
    case "$command" in
    seed)
        seed
        ;;
    minimize)
        ensure_tools
        local which=${2:-all}
        for target in "${TARGETS[@]}"; do
            [[ $which == all || $which == "$target" ]] || continue
            build "$target"
            mkdir -p "fuzz/corpus.new/$target"
            merge "$target"
        done
        ;;
    repro)
        ensure_tools
        build "$2"
        cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$2" "$3"
        ;;
    smoke)
        ensure_tools
        local failed=0
        for target in "${TARGETS[@]}"; do
            build "$target"
            # 15 s each, on a scratch copy: a smoke run never changes the committed corpus.
            local work log
            work=$(mktemp -d)
            log=$(mktemp)
            # shellcheck disable=SC2046
            if cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$target" "$work" "fuzz/corpus/$target" -- \
                -max_total_time=15 $(flags "$target") >"$log" 2>&1; then
                echo "== $target: $(grep -E '^stat::number_of_executed_units' "$log" | grep -oE '[0-9]+') runs, no problem"
            else
                tail -n 40 "$log"
                echo "== $target: libFuzzer found a problem; the input is in fuzz/artifacts/$target/" >&2
                failed=1
            fi
            rm -rf "$work" "$log"
        done
        return $failed
        ;;
    all | rule_text | facts | structured | api_json | program | differential)
        ensure_tools
        local seconds=${2:-60}
        for target in "${TARGETS[@]}"; do
            [[ $command == all || $command == "$target" ]] || continue
            run "$target" "$seconds"
        done
        ;;
    *)
        sed -n '2,10p' "$0"
        exit 2
        ;;
    esac
}

main "$@"
