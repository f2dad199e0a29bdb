#!/usr/bin/env bash
# Smoke test of the frozen application: run the built executable the way a clinic PC would.
#
#   packaging/smoke.sh BUNDLE_DIR        # e.g. build/dist/fundus-workstation or /opt/fundus-workstation
#   packaging/smoke.sh /usr/bin/fundus-app   # an installed command (a symlink into the bundle)
#
# Checks, each with a time limit: --version; the bundle self-test (pylibjpeg decoders found through
# entry points, Qt platform plugins, bundled model/resources); `segment` on the bundled sample (the
# four outputs exist, PNGs are PNGs, the JSON parses and is plausible); `segment --crf` on JPEG 2000,
# RLE and JPEG-baseline DICOM, LZW TIFF and 16-bit PNG files (packaging/testdata); `report` in English and Chinese; the GUI
# with --screenshot under QT_QPA_PLATFORM=offscreen, and on Xvfb (xcb, asked for as Wayland) when xvfb-run is installed.
# Every check runs; the exit code is 1 if any failed. No application check is skipped: a module
# that is missing from the bundle, or a warning on stderr naming a missing file, is a failure.
#
# It runs with an empty HOME and working folder and without FUNDUS_* variables, so the bundle cannot
# lean on the checkout, the user's settings or the developer's environment.
# Needs bash, coreutils and python3 or jq (to parse the JSON; any Python, not the app's venv).
# Environment: SMOKE_KEEP=1 keeps the work folder; SMOKE_TIMEOUT (s, default 300) per command;
# SMOKE_EXPECT_VERSION checks the --version string.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTDATA="$HERE/testdata"
TIMEOUT="${SMOKE_TIMEOUT:-300}"

usage() { echo "usage: $0 BUNDLE_DIR|EXECUTABLE" >&2; exit 2; }
[ $# -eq 1 ] || usage
TARGET="$1"
if [ -d "$TARGET" ]; then
    EXE="$(cd "$TARGET" && pwd)/fundus-app"
    BUNDLE="$(cd "$TARGET" && pwd)"
elif [ -x "$TARGET" ]; then
    EXE="$(cd "$(dirname "$TARGET")" && pwd)/$(basename "$TARGET")"
    BUNDLE="$(dirname "$(readlink -f "$EXE")")"   # /usr/bin/fundus-app -> /opt/fundus-workstation/fundus-app
else
    echo "smoke: $TARGET is neither a bundle folder nor an executable" >&2; exit 2
fi
[ -x "$EXE" ] || { echo "smoke: no executable at $EXE" >&2; exit 2; }
INTERNAL="$BUNDLE/_internal"
[ -d "$INTERNAL" ] || { echo "smoke: $INTERNAL not found (not a PyInstaller one-folder bundle?)" >&2; exit 2; }
SAMPLE="$INTERNAL/resources/samples/hrf_01_h.jpg"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fundus-smoke.XXXXXX")"
cleanup() { if [ "${SMOKE_KEEP:-0}" = 1 ]; then echo "smoke: kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
mkdir -p "$WORK/home" "$WORK/run" "$WORK/out"
chmod 700 "$WORK/run"
cd "$WORK" || exit 2

# A clean environment: only what a desktop session would have.
ENV=(env -i "PATH=/usr/bin:/bin" "HOME=$WORK/home" "XDG_RUNTIME_DIR=$WORK/run" "LANG=C.UTF-8" "TZ=UTC" "TMPDIR=$WORK")

FAILED=()
TIMES=()
pass() { printf '  ok    %s\n' "$1"; }
fail() { printf '  FAIL  %s\n' "$1"; FAILED+=("$1"); }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# run NAME CMD...: runs CMD with the clean environment and a time limit; stdout/stderr in $WORK/NAME.{out,err}
run() {
    local name="$1"; shift
    local t0 t1 rc
    t0="$(now)"
    timeout "$TIMEOUT" "${ENV[@]}" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
    t1="$(now)"
    LAST_TIME="$(elapsed "$t0" "$t1")"
    TIMES+=("$name: ${LAST_TIME} s")
    if [ "$rc" -ne 0 ]; then
        fail "$name exited $rc$([ "$rc" -eq 124 ] && echo " (timed out after $TIMEOUT s)")"
        sed 's/^/        | /' "$WORK/$name.err" | tail -n 25
        return 1
    fi
    # a warning that names a missing file or module means the bundle is incomplete
    if grep -Ei 'traceback|modulenotfounderror|importerror|no such file|not found|unavailable|cannot (find|load|import)' \
            "$WORK/$name.err" | grep -v 'XDG_RUNTIME_DIR' >"$WORK/$name.bad"; then
        fail "$name: stderr reports a problem"
        sed 's/^/        | /' "$WORK/$name.bad" | head -n 10
        return 1
    fi
    return 0
}

is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
is_pdf() { [ -s "$1" ] && [ "$(head -c 5 "$1")" = "%PDF-" ] && tail -c 64 "$1" | grep -q '%%EOF'; }
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }

# check_json FILE CRF: parses and is plausible (density in (0,1), model hash, device, crf flag)
check_json() {
    local file="$1" crf="$2"
    if command -v python3 >/dev/null; then
        python3 - "$file" "$crf" <<'EOF'
import json, re, sys
rec = json.load(open(sys.argv[1], encoding="utf-8"))
bio = rec["biomarkers"]
assert 0.0 < bio["vessel_density"] < 1.0, bio
assert 1.0 < bio["fractal_dimension"] < 2.0, bio
assert re.fullmatch(r"[0-9a-f]{64}", rec["model"]["sha256"]), rec["model"]
assert rec["device"] == "cpu (onnxruntime CPUExecutionProvider)", rec["device"]  # the bundle's only engine
assert rec["crf"] is (sys.argv[2] == "true"), rec["crf"]
EOF
    elif command -v jq >/dev/null; then
        jq -e --argjson crf "$crf" '(.biomarkers.vessel_density > 0 and .biomarkers.vessel_density < 1)
            and (.model.sha256 | test("^[0-9a-f]{64}$")) and .device == "cpu (onnxruntime CPUExecutionProvider)" and .crf == $crf' "$file" >/dev/null
    else
        echo "smoke: neither python3 nor jq to parse JSON" >&2; return 1
    fi
}

# check_outputs DIR STEM CRF
check_outputs() {
    local dir="$1" stem="$2" crf="$3" ok=1 f
    for f in "${stem}_prob.png" "${stem}_mask.png" "${stem}_overlay.png"; do
        is_png "$dir/$f" || { fail "$stem: $f missing or not a PNG"; ok=0; }
    done
    if [ ! -s "$dir/$stem.json" ]; then
        fail "$stem: $stem.json missing"; ok=0
    elif ! check_json "$dir/$stem.json" "$crf" 2>"$WORK/json.err"; then
        fail "$stem: $stem.json does not parse or is implausible"; sed 's/^/        | /' "$WORK/json.err" | tail -n 3; ok=0
    fi
    [ "$ok" = 1 ] && pass "$stem: prob/mask/overlay PNGs and JSON"
}

echo "smoke: $EXE (bundle $BUNDLE)"

echo "[1/7] --version"
if run version "$EXE" --version; then
    v="$(cat "$WORK/version.out")"
    if [[ "$v" =~ ^fundus-app\ [0-9]+\.[0-9]+ ]] && { [ -z "${SMOKE_EXPECT_VERSION:-}" ] || [ "$v" = "fundus-app $SMOKE_EXPECT_VERSION" ]; }; then
        pass "$v (${LAST_TIME} s)"
    else
        fail "unexpected --version output: $v"
    fi
fi

echo "[2/7] bundle self-test"
if run selftest env FUNDUS_BUNDLE_SELFTEST=1 "$EXE"; then
    sed 's/^/        /' "$WORK/selftest.out"
    pass "self-test"
else
    sed 's/^/        /' "$WORK/selftest.out"
fi

echo "[3/7] segment the bundled sample"
if [ ! -f "$SAMPLE" ]; then
    fail "bundled sample $SAMPLE missing"
elif run segment "$EXE" segment "$SAMPLE" --out "$WORK/out/seg"; then
    sed 's/^/        /' "$WORK/segment.out"
    check_outputs "$WORK/out/seg" hrf_01_h false
fi

echo "[4/7] DICOM (JPEG 2000, RLE, JPEG baseline), LZW TIFF and 16-bit PNG, with the dense CRF"
DICOMS=("$TESTDATA/hrf_01_h_j2k.dcm" "$TESTDATA/hrf_01_h_rle.dcm" "$TESTDATA/hrf_01_h_jpeg.dcm")
RASTERS=("$TESTDATA/hrf_01_h_lzw.tif" "$TESTDATA/hrf_01_h_16bit.png")
if ! ls "${DICOMS[@]}" "${RASTERS[@]}" >/dev/null 2>&1; then
    fail "test images missing in $TESTDATA"
elif run formats "$EXE" segment --crf "${DICOMS[@]}" "${RASTERS[@]}" --out "$WORK/out/formats"; then
    sed 's/^/        /' "$WORK/formats.out"
    for stem in hrf_01_h_j2k hrf_01_h_rle hrf_01_h_jpeg hrf_01_h_lzw hrf_01_h_16bit; do
        check_outputs "$WORK/out/formats" "$stem" true
    done
fi

echo "[5/7] PDF report (English from the JPEG sample, Chinese from the JPEG 2000 DICOM)"
if run report_en "$EXE" report "$SAMPLE" --out "$WORK/out/report_en.pdf"; then
    is_pdf "$WORK/out/report_en.pdf" && pass "report_en.pdf ($(stat -c %s "$WORK/out/report_en.pdf") bytes, ${LAST_TIME} s)" \
        || fail "report_en.pdf missing or not a PDF"
fi
if run report_zh "$EXE" report "${DICOMS[0]}" --lang zh --out "$WORK/out/report_zh.pdf"; then
    if ! is_pdf "$WORK/out/report_zh.pdf"; then
        fail "report_zh.pdf missing or not a PDF"
    elif ! grep -aq 'FontFile2' "$WORK/out/report_zh.pdf" || ! grep -aq 'WenQuanYi' "$WORK/out/report_zh.pdf"; then
        # the report falls back to a non-embedded CID font (boxes on PCs without Chinese fonts)
        fail "report_zh.pdf does not embed the bundled Chinese font (resources/fonts/wqy-microhei.ttc)"
    else
        pass "report_zh.pdf ($(stat -c %s "$WORK/out/report_zh.pdf") bytes, Chinese font embedded)"
    fi
fi

echo "[6/7] GUI: first result on screen, screenshot (QT_QPA_PLATFORM=offscreen)"
gui_t0="$(now)"
if run gui env QT_QPA_PLATFORM=offscreen "$EXE" gui "$SAMPLE" --screenshot "$WORK/out/gui.png"; then
    if is_png "$WORK/out/gui.png"; then
        size="$(png_size "$WORK/out/gui.png")"
        width="${size%x*}"
        if [ "$width" -ge 800 ]; then pass "gui.png $size (${LAST_TIME} s to the first result)"; else fail "gui.png is only $size"; fi
    else
        fail "gui.png missing or not a PNG"
    fi
    # time to the first window: the GUI logs "window shown" with a timestamp
    log="$(find "$WORK/home" -name gui.log 2>/dev/null | head -n1)"
    if [ -n "$log" ] && command -v python3 >/dev/null; then
        shown="$(TZ=UTC python3 - "$log" "$gui_t0" <<'EOF'
import datetime, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if "window shown" in line:
        stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        print(f"{stamp - float(sys.argv[2]):.2f}")
        break
EOF
)"
        [ -n "$shown" ] && TIMES+=("gui first window: $shown s")
    fi
fi

echo "[7/7] GUI on a real X server (xcb platform plugin and the X libraries it needs)"
if command -v xvfb-run >/dev/null && command -v Xvfb >/dev/null; then
    # asked for Wayland, as a Wayland desktop session may: the bundle carries xcb only, and its
    # run-time hook switches to it (XWayland) instead of failing to start
    if run gui_xcb env QT_QPA_PLATFORM=wayland xvfb-run -a -s "-screen 0 1920x1080x24" \
            "$EXE" gui "$SAMPLE" --screenshot "$WORK/out/gui_xcb.png"; then
        is_png "$WORK/out/gui_xcb.png" && pass "gui_xcb.png $(png_size "$WORK/out/gui_xcb.png") (${LAST_TIME} s)" \
            || fail "gui_xcb.png missing or not a PNG"
    fi
else
    echo "  note  no Xvfb here: the xcb plugin was only checked for presence (self-test)"
fi

echo
echo "timings (this machine, now):"
printf '  %s\n' "${TIMES[@]}"
if [ "${#FAILED[@]}" -gt 0 ]; then
    echo "smoke: FAILED (${#FAILED[@]}):"
    printf '  - %s\n' "${FAILED[@]}"
    exit 1
fi
echo "smoke: all checks passed"
