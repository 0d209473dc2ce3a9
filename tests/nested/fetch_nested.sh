#!/usr/bin/env bash
# tests/nested/fetch_nested.sh: download and unpack what the nested-KVM rig needs
# (tests/nested/README.md) into build/nested/, without touching the machine's apt setup.
#
#   build/nested/apt/       a private apt state: sources list, package lists, archives
#   build/nested/debs/      the downloaded .deb files
#   build/nested/root/      the packages unpacked with dpkg-deb -x (kernel, modules,
#                           busybox, QEMU 10 and its data files)
#   build/nested/env        VMLINUZ, MODDIR, QEMU, QEMU_DATA for the other scripts
#
# The packages: Debian bookworm's linux-image-amd64 (a 6.1 kernel whose kvm_amd runs on the
# SVM that QEMU's TCG emulates with -cpu max) and busybox-static, and qemu-system-x86 from
# bookworm-backports (QEMU 10: bookworm's QEMU 7.2 arms DR7 wrongly on VMRUN, so hardware
# breakpoints and watchpoints never fire in a nested guest there).
#
# The mirror is the one the machine's apt already uses for Debian (NESTED_MIRROR=URI
# overrides it). apt-get runs with -o options that point every list, cache and state
# path into build/nested/apt, so the machine's own sources and lists stay as they were.
# Running it again does nothing when build/nested/env exists (NESTED_REFETCH=1 redoes it).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=$BUILD/nested
[ -f "$OUT/env" ] && [ -z "${NESTED_REFETCH:-}" ] && { echo "fetch_nested: $OUT/env exists"; exit 0; }

die() { echo "fetch_nested: $*" >&2; exit 1; }
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
    die "needs apt-get and dpkg-deb (a Debian or Ubuntu host)"

# The Debian mirror the machine already uses: the first URI of a source that serves a
# Debian suite (not the security archive), from deb822 .sources files or one-line lists.
find_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN{RS=""} /Suites:[^\n]*(bookworm|trixie|sid|stable)/ && !/security/ {
                 if (match($0, /URIs:[ \t]*[^ \t\n]+/)) {
                     s = substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit } }' "$f"
    done
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" && $0 !~ /security/ && $0 ~ /debian/ {
                 for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }'
}
MIRROR=${NESTED_MIRROR:-$(find_mirror | head -n 1 || true)}
[ -n "$MIRROR" ] || die "no Debian mirror found in the machine's apt sources; set NESTED_MIRROR=URI"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$KEYRING" ] || die "$KEYRING is missing (package debian-archive-keyring)"

mkdir -p "$OUT/apt/lists/partial" "$OUT/apt/archives/partial" "$OUT/apt/cache" "$OUT/debs"
SRC=$(realpath "$OUT/apt/sources.list")
cat >"$SRC" <<SOURCES
deb [signed-by=$KEYRING] $MIRROR bookworm main
deb [signed-by=$KEYRING] $MIRROR bookworm-backports main
SOURCES
APT_OPTS=(
    -o "Dir::Etc::SourceList=$SRC"
    -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$(realpath "$OUT/apt/lists")"
    -o "Dir::Cache=$(realpath "$OUT/apt/cache")"
    -o "Dir::Cache::Archives=$(realpath "$OUT/apt/archives")"
    -o "APT::Get::List-Cleanup=0"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
)
echo "fetch_nested: package lists from $MIRROR (bookworm, bookworm-backports)"
apt-get "${APT_OPTS[@]}" update -qq

# linux-image-amd64 is a metapackage: its first dependency names the real kernel package.
KPKG=$(apt-cache "${APT_OPTS[@]}" depends linux-image-amd64/bookworm 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ && !k { k = $2 } END { print k }')
[ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 to a kernel package"
# QEMU 10 and the data files it loads (BIOS, option ROMs); seabios and ipxe-qemu hold the
# files qemu-system-data links to.
PKGS=("$KPKG" busybox-static/bookworm qemu-system-x86/bookworm-backports
    qemu-system-common/bookworm-backports qemu-system-data/bookworm-backports
    seabios/bookworm ipxe-qemu/bookworm)
echo "fetch_nested: downloading ${PKGS[*]}"
# A refetch replaces the packages: two kernels or two QEMUs unpacked together would mix.
rm -f "$OUT"/debs/*.deb
(cd "$OUT/debs" && apt-get "${APT_OPTS[@]}" download -qq "${PKGS[@]}")

rm -rf "$OUT/root"
mkdir -p "$OUT/root"
for deb in "$OUT"/debs/*.deb; do
    dpkg-deb -x "$deb" "$OUT/root"
done
ROOT=$(realpath "$OUT/root")
VMLINUZ=$(ls "$ROOT"/boot/vmlinuz-* | sed -n 1p)
KVER=${VMLINUZ##*/vmlinuz-}
QEMU=$ROOT/usr/bin/qemu-system-x86_64
[ -x "$QEMU" ] || die "$QEMU is missing after unpacking"
missing=$(ldd "$QEMU" | awk '/not found/ { print $1 }')
[ -z "$missing" ] || die "QEMU 10 needs libraries this machine lacks: $missing"
# Older QEMUs arm DR7 wrongly on VMRUN: hardware breakpoints would never fire inside.
major=$("$QEMU" --version | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
[ "${major:-0}" -ge 10 ] || die "$QEMU is version ${major:-?}; the nested KVM needs QEMU 10 or later"
cat >"$OUT/env" <<ENV
VMLINUZ=$VMLINUZ
KVER=$KVER
MODDIR=$ROOT/lib/modules/$KVER
QEMU=$QEMU
QEMU_DATA=$ROOT/usr/share/qemu
BUSYBOX=$ROOT/bin/busybox
ENV
echo "fetch_nested: $(du -sh "$OUT/debs" | cut -f1) of packages; $("$QEMU" --version | head -n 1)"
