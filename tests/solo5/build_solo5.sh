#!/usr/bin/env bash
# tests/solo5/build_solo5.sh DIR: builds the Solo5 source tree DIR with Solo5's own
# toolchain (configure.sh, then make: its hvt tender and its tests as .hvt binaries), in a
# copy under $BUILD/solo5-build/, and prints the copy's path on stdout. DIR is not written.
#
# The copy is kept and reused while DIR is unchanged (key: DIR's path and the newest
# modification time in it), so a second run costs nothing. A tarball or a tree without
# git has no way to tell its version: Solo5 then wants include/version.h.distrib, and it
# is written into the copy from DIR's name when missing.
#
# Needs what Solo5 needs to build: gcc, make, libseccomp-dev (make deps installs them).
# Exit status 0, or 1 with the build's last lines on stderr.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
dir=${1:?usage: build_solo5.sh SOLO5_DIR}
dir=$(cd "$dir" && pwd -P) || exit 1
newest=$(find "$dir" -type f -newer "$dir/tests" -printf '%T@\n' 2>/dev/null | sort -n | tail -n 1)
key=$(printf '%s %s %s' "$dir" "$(stat -c %Y "$dir/tests")" "$newest" | sha256sum | cut -c 1-16)
mkdir -p "$BUILD" || exit 1
out=$(cd "$BUILD" && pwd -P)/solo5-build/$key
if [ -f "$out/.built" ]; then
    echo "$out/tree"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out/tree"
# Only the sources: objects and binaries left in DIR by an earlier build are not copied
# (but the prebuilt test_buggyelf/buggyelf.hvt, which is a source of its test, is), and
# "make clean" removes whatever else an earlier build left.
tar -C "$dir" --exclude='*.o' --exclude='test_*.hvt' --exclude='*.spt' --exclude='*.stub' \
    --exclude='*.virtio' --exclude='*.muen' --exclude='*.xen' --exclude='*.d' \
    --exclude='Makeconf*' -cf - . | tar -C "$out/tree" -xf - || exit 1
tree=$out/tree
if [ ! -e "$tree/.git" ] && [ ! -f "$tree/include/version.h.distrib" ]; then
    printf '/* written by ukvm tests/solo5/build_solo5.sh: a tree without git */\n#ifndef __VERSION_H__\n#define __VERSION_H__\n#define SOLO5_VERSION "%s"\n#endif\n' \
        "$(basename "$dir")" >"$tree/include/version.h.distrib"
fi
if ! (cd "$tree" && ./configure.sh && make clean && make -j"$(nproc)") >"$out/build.log" 2>&1; then
    echo "build_solo5: building Solo5 in $tree failed:" >&2
    tail -n 20 "$out/build.log" >&2
    exit 1
fi
touch "$out/.built"
echo "$tree"
