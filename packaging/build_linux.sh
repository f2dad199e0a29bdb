#!/usr/bin/env bash
# Build the Fundus Vessel Workstation for Linux: PyInstaller one-folder bundle, smoke test, .deb and .tar.gz.
#
#   packaging/build_linux.sh [--no-smoke] [--no-clean]
#
# Run from anywhere; works on the repository this script is in. Needs the project's virtualenv with
# PyInstaller (`make package` installs it), dpkg-deb, zstd-capable dpkg (>= 1.21.18, or Ubuntu's),
# binutils, and apt-get when the Qt xcb libraries listed below are not installed on the build host;
# xvfb + xauth for the smoke test's X11 check (optional).
#
# Output (in dist/, ignored by git):
#   fundus-workstation_<version>_amd64.deb        /opt/fundus-workstation, /usr/bin/fundus-app, menu entry
#   fundus-workstation-<version>-linux-x86_64.tar.gz   the bundle folder, run ./fundus-workstation/fundus-app
#   SHA256SUMS
# Intermediate files: build/ (bundle in build/dist/fundus-workstation).
#
# Environment:
#   PYTHON        interpreter of the virtualenv (default: .venv/bin/python)
#   DEB_COMPRESS  dpkg-deb compressor: zstd (default), xz (smallest, ~10x slower), gzip
#   DEB_LEVEL     compression level (default 19 for zstd: 136 vs 152 MiB at 9 with the three models, about
#                 4 min instead of 10 s on 2 cores; decompression as fast; 6 otherwise)
#   FETCH_SYSLIBS 1 (default): download the Qt xcb libraries the build host lacks with `apt-get download`
#                 into build/syslibs so they get bundled (the host is not changed); 0: fail instead.
# The bundle needs the build host's glibc or newer: build on the oldest distribution you support.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
cd "$REPO"

SMOKE=1
CLEAN=--clean
for arg in "$@"; do
    case "$arg" in
        --no-smoke) SMOKE=0 ;;
        --no-clean) CLEAN= ;;
        -h|--help) sed -n '2,23p' "$0" | cut -c3-; exit 0 ;;
        *) echo "build_linux: unknown option $arg" >&2; exit 2 ;;
    esac
done

PY="${PYTHON:-$REPO/.venv/bin/python}"
BUILD="$REPO/build"
DIST="$REPO/dist"
NAME=fundus-workstation
BUNDLE="$BUILD/dist/$NAME"
DEB_COMPRESS="${DEB_COMPRESS:-zstd}"
DEB_LEVEL="${DEB_LEVEL:-$([ "$DEB_COMPRESS" = zstd ] && echo 19 || echo 6)}"
T_START=$(date +%s)

step() { printf '\n=== %s (%ds)\n' "$*" $(( $(date +%s) - T_START )); }
die() { echo "build_linux: error: $*" >&2; exit 1; }

# --- preflight ----------------------------------------------------------------------------------
[ -x "$PY" ] || die "no Python at $PY (make install, or set PYTHON)"
"$PY" -c "import PyInstaller" 2>/dev/null || die "PyInstaller is not installed in $PY (pip install 'pyinstaller>=6.10')"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
for tool in objdump readelf strip; do  # binutils: glibc version scan, stripping in the spec
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install binutils)"
done
VERSION="$(sed -n 's/^__version__ *= *"\([^"]*\)".*/\1/p' fundus_app/__init__.py)"
[ -n "$VERSION" ] || die "cannot read __version__ from fundus_app/__init__.py"
ARCH="$(dpkg --print-architecture)"
[ "$ARCH" = amd64 ] || echo "build_linux: warning: building on $ARCH; the .deb is for $ARCH" >&2
echo "Fundus Vessel Workstation $VERSION, $("$PY" -c 'import sys,onnxruntime,PyInstaller; print(f"Python {sys.version.split()[0]}, onnxruntime {onnxruntime.__version__}, PyInstaller {PyInstaller.__version__}")')"

# Qt's xcb platform plugin needs these; PyInstaller bundles them only if it can find them on the host.
QT_XCB_LIBS=(libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1
             libxcb-xinerama.so.0:libxcb-xinerama0 libxkbcommon-x11.so.0:libxkbcommon-x11-0
             libxcb-image.so.0:libxcb-image0 libxcb-render-util.so.0:libxcb-render-util0)
missing=()
for entry in "${QT_XCB_LIBS[@]}"; do
    /sbin/ldconfig -p | grep -q " ${entry%%:*} " || missing+=("${entry##*:}")
done
SYSLIBS="$BUILD/syslibs"
if [ "${#missing[@]}" -gt 0 ]; then
    [ "${FETCH_SYSLIBS:-1}" = 1 ] || die "Qt xcb libraries missing on the build host: ${missing[*]} (apt-get install them)"
    step "fetching ${missing[*]} into $SYSLIBS (not installed on the host)"
    rm -rf "$SYSLIBS" && mkdir -p "$SYSLIBS/debs"
    (cd "$SYSLIBS/debs" && apt-get download "${missing[@]}" >/dev/null) || die "apt-get download ${missing[*]} failed"
    for deb in "$SYSLIBS"/debs/*.deb; do dpkg-deb -x "$deb" "$SYSLIBS/root"; done
    export LD_LIBRARY_PATH="$SYSLIBS/root/usr/lib/$(uname -m)-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

# --- icons, bundle --------------------------------------------------------------------------------
step "icons"
QT_QPA_PLATFORM=offscreen "$PY" packaging/make_icons.py "$BUILD/icons" >/dev/null

step "PyInstaller bundle"
rm -rf "$BUNDLE"
FUNDUS_ICON_DIR="$BUILD/icons" "$PY" -m PyInstaller --noconfirm $CLEAN --log-level WARN \
    --distpath "$BUILD/dist" --workpath "$BUILD/pyi" packaging/fundus_app.spec
[ -x "$BUNDLE/fundus-app" ] || die "PyInstaller produced no $BUNDLE/fundus-app"
# files written atomically in the checkout can be 0600; an installed program must be readable by all
chmod -R u+rwX,go+rX,go-w "$BUNDLE"

# --- dependencies the bundle takes from the system -------------------------------------------------
# Every library an ELF file of the bundle links that is not in the bundle becomes a package
# dependency (found with dpkg -S); an unknown unresolved library fails the build. Libraries that only
# the Wayland platform plugins and the EGL integration use become Recommends: Qt 5 runs on X11 (or
# XWayland) by default, so an offline PC without them still runs the application.
step "system libraries the bundle needs"
# libraries PyInstaller leaves out on purpose (graphics stack) and their Debian packages
declare -A KNOWN=([libwayland-cursor.so.0]=libwayland-cursor0 [libwayland-egl.so.1]=libwayland-egl1
                  [libwayland-client.so.0]=libwayland-client0 [libxcb.so.1]=libxcb1 [libGL.so.1]=libgl1
                  [libEGL.so.1]=libegl1 [libGLX.so.0]=libglx0 [libGLdispatch.so.0]=libglvnd0
                  [libOpenGL.so.0]=libopengl0)
OPTIONAL_ELF='[Ww]ayland|libqxcb-egl-integration'
mapfile -t ELVES < <(find "$BUNDLE" -type f \( -name '*.so' -o -name '*.so.*' -o -name fundus-app \))
INTERNAL_DIRS="$BUNDLE/_internal:$BUNDLE/_internal/PyQt5/Qt5/lib:$BUNDLE/_internal/onnxruntime/capi"
declare -A CORE=() OPTIONAL=() PKG_OF=()
unresolved=()
while read -r lib path elf; do
    case "$path" in "$BUNDLE"/*) continue ;; esac
    if [ -z "${PKG_OF[$lib $path]+set}" ]; then
        pkg=""
        if [ "$path" != "not" ]; then
            pkg="$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1 || true)"
            [ -n "$pkg" ] || pkg="$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1 || true)"
        fi
        PKG_OF[$lib $path]="${pkg:-${KNOWN[$lib]:-}}"
    fi
    pkg="${PKG_OF[$lib $path]}"
    if [ -z "$pkg" ]; then unresolved+=("$lib"); continue; fi
    if [[ "$elf" =~ $OPTIONAL_ELF ]]; then OPTIONAL[$pkg]=1; else CORE[$pkg]=1; fi
done < <(for f in "${ELVES[@]}"; do LD_LIBRARY_PATH="$INTERNAL_DIRS" ldd "$f" 2>/dev/null | awk -v f="$f" '/=>/ { print $1, $3, f }'; done \
           | sort -u)
if [ "${#unresolved[@]}" -gt 0 ]; then
    die "the bundle needs libraries that are neither bundled nor known packages: $(printf '%s\n' "${unresolved[@]}" | sort -u | tr '\n' ' ')"
fi
GLIBC_MIN="$(for f in "${ELVES[@]}"; do objdump -T "$f" 2>/dev/null; done | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n1 | cut -d_ -f2)"
unset 'CORE[libc6]' 'OPTIONAL[libc6]'
DEPENDS="libc6 (>= ${GLIBC_MIN:-2.28})"
for p in $(printf '%s\n' "${!CORE[@]}" | sort); do DEPENDS+=", $p"; done
RECOMMENDS="shared-mime-info, desktop-file-utils, hicolor-icon-theme, fontconfig"
for p in $(printf '%s\n' "${!OPTIONAL[@]}" | sort); do [ -n "${CORE[$p]:-}" ] || RECOMMENDS+=", $p"; done
echo "Depends: $DEPENDS"
echo "Recommends: $RECOMMENDS"

# --- smoke test -------------------------------------------------------------------------------------
if [ "$SMOKE" = 1 ]; then
    step "smoke test"
    SMOKE_EXPECT_VERSION="$VERSION" "$HERE/smoke.sh" "$BUNDLE"
fi

# --- .deb -----------------------------------------------------------------------------------------
step ".deb"
mkdir -p "$DIST"
STAGE="$BUILD/deb/$NAME"
rm -rf "$BUILD/deb" && mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/mime/packages" "$STAGE/usr/share/doc/$NAME"
cp -a "$BUNDLE" "$STAGE/opt/$NAME"
ln -s "/opt/$NAME/fundus-app" "$STAGE/usr/bin/fundus-app"
install -m 0644 packaging/linux/fundus-workstation.desktop "$STAGE/usr/share/applications/$NAME.desktop"
install -m 0644 packaging/linux/fundus-workstation-mime.xml "$STAGE/usr/share/mime/packages/$NAME.xml"
for size in 16 24 32 48 64 128 256 512; do
    install -D -m 0644 "$BUILD/icons/app-$size.png" "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/$NAME.png"
done
install -D -m 0644 resources/icons/app.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
cat >"$STAGE/usr/share/doc/$NAME/copyright" <<EOF
Fundus Vessel Workstation $VERSION. Proprietary; see the project's licence terms.
For research and review support only; it does not make a diagnosis.

The program folder /opt/$NAME/_internal carries third-party components under their own licences:
Python (PSF), ONNX Runtime (MIT), Qt 5 and PyQt5 (LGPLv3 / GPLv3), OpenCV (Apache-2.0), NumPy,
SciPy, scikit-image (BSD), Pillow (MIT-CMU), pydicom (MIT), pylibjpeg and its plugins (MIT; libjpeg
GPLv3, OpenJPEG BSD-2-Clause), pydensecrf (MIT), reportlab (BSD), WenQuanYi Micro Hei font
(Apache-2.0 / GPLv3 with font exception; resources/fonts). Sample images: HRF database, CC BY 4.0
(resources/samples/ATTRIBUTION.md). Models: models/MODEL_CARD.md.
EOF
INSTALLED_KB="$(du -sk --apparent-size "$STAGE" | cut -f1)"
cat >"$STAGE/DEBIAN/control" <<EOF
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: Fundus Vessel Workstation maintainers <fundus-workstation@localhost>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Recommends: $RECOMMENDS
Section: science
Priority: optional
Homepage: https://localhost/fundus-workstation
Description: Fundus Vessel Workstation: retinal vessel segmentation (review support)
 Desktop workstation and command line (fundus-app) for retinal vessel
 segmentation in fundus photographs (DICOM, PNG, JPEG, TIFF): vessel overlay,
 arteries and veins, optic disc, calibre and other vessel biomarkers, and a
 PDF report. Self-contained: carries its own Python, ONNX Runtime, Qt and the
 bundled models; needs no network.
 .
 For research and review support only; it does not make a diagnosis.
EOF
chmod -R u+rwX,go+rX,go-w "$STAGE"
chmod 0755 "$STAGE/DEBIAN"
DEB="$DIST/${NAME}_${VERSION}_${ARCH}.deb"
rm -f "$DEB"
# icon cache, desktop database and MIME database are refreshed by dpkg triggers of their packages
dpkg-deb --root-owner-group -Z"$DEB_COMPRESS" -z"$DEB_LEVEL" --build "$STAGE" "$DEB" >/dev/null
dpkg-deb --info "$DEB" >/dev/null
rm -rf "$BUILD/deb"  # the staging tree is a second copy of the bundle

# --- .tar.gz --------------------------------------------------------------------------------------
step ".tar.gz"
TGZ="$DIST/$NAME-$VERSION-linux-x86_64.tar.gz"
tar -C "$BUILD/dist" --owner=0 --group=0 --numeric-owner -cf - "$NAME" | gzip -6 >"$TGZ.part"
mv "$TGZ.part" "$TGZ"

(cd "$DIST" && sha256sum "$(basename "$DEB")" "$(basename "$TGZ")" >SHA256SUMS)
step "done"
printf '  bundle   %s  %s\n' "$(du -sh "$BUNDLE" | cut -f1)" "$BUNDLE"
printf '  .deb     %s  %s (%s -%s)\n' "$(du -h "$DEB" | cut -f1)" "$DEB" "$DEB_COMPRESS" "$DEB_LEVEL"
printf '  .tar.gz  %s  %s\n' "$(du -h "$TGZ" | cut -f1)" "$TGZ"
