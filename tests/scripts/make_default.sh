#!/usr/bin/env bash
# A plain `make` (no target) is `make all`: it builds, and never installs packages
# (`make deps` runs apt-get, and must only run when asked for).
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A fresh build folder, so that the dry run lists every command of the build.
build=$tmp/build
make -n BUILD="$build" >"$tmp/out" 2>&1
status=$?
if grep -q 'apt-get' "$tmp/out"; then
    fail make-default-no-apt-get "make with no target would run: $(grep -m2 'apt-get' "$tmp/out")"
else
    pass make-default-no-apt-get
fi
# What `all` builds: both monitors, the kernel object and string library, a test unikernel
# and a unit test.
missing=''
for target in "$build/ukvm" "$build/asan/ukvm" "$build/ukvm_kernel.o" \
    "$build/libukvm_string.a" "$build/test_hello.ukvm" "$build/unit/test_elf_load"; do
    # Linked (-o), archived (ar rcs) or written by objcopy (the kernel object, from .r).
    grep -qE -- "-o $target( |\$)|rcs $target |\.r $target\$" "$tmp/out" ||
        missing="$missing $target"
done
if [ $status -eq 0 ] && [ -z "$missing" ]; then
    pass make-default-builds-all
else
    fail make-default-builds-all "status $status, no command builds:$missing"
fi
