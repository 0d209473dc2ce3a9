#!/usr/bin/env bash
# tests/nested/make_initramfs.sh: build build/nested/initramfs.cpio, the root file system
# of the nested-KVM rig (tests/nested/README.md): busybox as the base tools, bash (the
# test scripts are bash), the four modules that give /dev/kvm (irqbypass, kvm, ccp,
# kvm_amd), ukvm and its ASan build, the test unikernels, the tests/ folder, every shared
# library those programs load (from ldd), and tests/nested/init as /init.
#
# Needs build/nested/env (tests/nested/fetch_nested.sh) and a built tree (make).
# The archive is not compressed: the nested kernel runs under QEMU's TCG, where
# decompressing costs more than reading a bigger archive from memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=$BUILD/nested
die() { echo "make_initramfs: $*" >&2; exit 1; }
[ -f "$OUT/env" ] || die "$OUT/env is missing: run tests/nested/fetch_nested.sh"
# shellcheck disable=SC1091
. "$OUT/env"
[ -x "$BUILD/ukvm" ] || die "$BUILD/ukvm is missing: run make"

STAGE=$OUT/initramfs
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,dev,proc,sys,tmp,root,etc,modules,usr/lib,usr/lib64,usr/bin,ukvm}
ln -s usr/lib "$STAGE/lib"
ln -s usr/lib64 "$STAGE/lib64"
chmod 1777 "$STAGE/tmp"

# busybox: every applet as a link, so that `sed`, `grep`, `timeout`... exist.
cp "$BUSYBOX" "$STAGE/bin/busybox"
for applet in $("$BUSYBOX" --list); do
    [ -e "$STAGE/bin/$applet" ] || ln -s busybox "$STAGE/bin/$applet"
done

# copy_elf FILE [DEST]: FILE at DEST (default: the same path) and the shared libraries it
# loads, at the paths ldd gives (the dynamic loader finds them there).
copy_elf() {
    local file=$1 dest=${2:-$1} lib
    mkdir -p "$STAGE/$(dirname "$dest")"
    cp -L "$file" "$STAGE/$dest"
    for lib in $(ldd "$file" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'); do
        [ -e "$STAGE/$lib" ] && continue
        mkdir -p "$STAGE/$(dirname "$lib")"
        cp -L "$lib" "$STAGE/$lib"
    done
}
copy_elf /bin/bash /bin/bash
ln -sf /bin/bash "$STAGE/usr/bin/bash"
ln -sf /bin/busybox "$STAGE/usr/bin/env"

# Modules in load order: kvm needs irqbypass, kvm_amd needs kvm and ccp; tun gives
# /dev/net/tun (the network options' tests), veth the network tests' namespaces.
i=0
for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko drivers/crypto/ccp/ccp.ko \
    arch/x86/kvm/kvm-amd.ko drivers/net/tun.ko drivers/net/veth.ko; do
    i=$((i + 1))
    f=$MODDIR/kernel/$m
    [ -f "$f" ] || f=$(ls "$f".* 2>/dev/null | sed -n 1p)
    [ -f "$f" ] || die "module $m is missing from $MODDIR"
    cp "$f" "$STAGE/modules/$i-$(basename "$f")"
done

# ukvm, its ASan build, the test unikernels and guests, and the tests/ folder.
U=$STAGE/ukvm
mkdir -p "$U/build/asan"
copy_elf "$BUILD/ukvm" "/ukvm/build/ukvm"
[ -x "$BUILD/asan/ukvm" ] && copy_elf "$BUILD/asan/ukvm" "/ukvm/build/asan/ukvm"
# Libraries ukvm opens with dlopen when it needs them (ldd does not list them): libdw
# (symbols), Capstone (disassembly), readline (the shell's line editing).
for soname in libdw.so.1 'libcapstone.so.[0-9]*' 'libreadline.so.[0-9]*'; do
    lib=$(ldconfig -p | awk -v pat="$soname" '$1 ~ "^"pat"$" && /x86-64/ && !f { f = $NF } END { print f }')
    if [ -z "$lib" ]; then
        # shellcheck disable=SC2053
        lib=$(ls /lib/x86_64-linux-gnu/$soname /usr/lib/x86_64-linux-gnu/$soname 2>/dev/null | sed -n 1p)
    fi
    [ -n "$lib" ] || die "no $soname on this machine (make deps installs it)"
    copy_elf "$lib"
done
cp "$BUILD"/*.ukvm "$U/build/"
cp "$BUILD"/*.hvt "$U/build/" 2>/dev/null || true
cp -r tests "$U/tests"
# gdb's command files (test_gdbinit.py) and the recorded sessions hvt_debug.sh compares.
cp -r gdbinit "$U/gdbinit"
mkdir -p "$U/docs"
cp -r docs/sessions "$U/docs/sessions"
# The pages whose samples tests compare (net_debug.sh: README.md, docs/networking.md).
cp README.md "$U/README.md"
cp docs/*.md "$U/docs/"
# The debug-core tests (tests/core/): programs that run unikernels on /dev/kvm.
for bin in "$BUILD"/core/test_* "$BUILD"/asan/core/test_*; do
    [ -x "$bin" ] && [[ $bin != *.d ]] && copy_elf "$bin" "/ukvm/build/${bin#"$BUILD"/}"
done
# Tools the scripts run that busybox lacks: nm and objdump (symbol addresses), readelf,
# perl (hvt_debug.sh normalises transcripts), python3 (inline_frames.sh).
# The system's python3 (its standard library is the one copied above), not a shim found
# first in PATH.
for tool in nm objdump readelf perl python3; do
    path=/usr/bin/$tool
    [ -x "$path" ] || path=$(command -v $tool || true)
    [ -n "$path" ] && copy_elf "$path" "/usr/bin/$tool"
done
# The network tests' tools (tests/scripts/net.sh): iproute2's ip, iputils' ping, arping,
# util-linux's unshare and setpriv, tcpdump. They replace busybox's applets of the same
# names (whose options differ); the link is removed first, or cp would write through it.
# coreutils' date too: the tests time with %N, which busybox's lacks.
# And timeout: busybox's runs its own applet for a name it has one for (unshare), whatever
# PATH holds.
for tool in ip ping arping unshare setpriv tcpdump date timeout; do
    path=$(command -v $tool || true)
    [ -n "$path" ] || continue
    rm -f "$STAGE/bin/$tool"
    copy_elf "$path" "/bin/$tool"
done
# Accounts: root, and the tcpdump user that tcpdump gives up its privileges to.
mkdir -p "$STAGE/etc"
printf 'root:x:0:0:root:/root:/bin/bash\ntcpdump:x:104:110::/nonexistent:/bin/false\n' >"$STAGE/etc/passwd"
printf 'root:x:0:\ntcpdump:x:110:\n' >"$STAGE/etc/group"

# Scripted tests left out: those that build or install (debug_build, install, make_app,
# make_default, solo5_suite, kernel_exports, string_lib), check the source tree (format,
# layering, doc_samples), benchmark (bench_hvt, bench_net, bench_reverse), need tmux (shell_tmux) or the
# fuzz and unit builds (fuzz_smoke, pcap_tcpdump), or check the ELF files, not KVM
# (host_exec).
# tests/run.sh runs what tests/scripts/ holds; NESTED_SCRIPTS lists the ones that stay.
NESTED_SCRIPTS=${NESTED_SCRIPTS:-cli console core debug_core fault_site gdb hvt_debug hvt_debug_user hvt_net inline_frames net net_debug probe reverse sandbox shell signals user_mode}
for s in "$U"/tests/scripts/*.sh; do
    n=$(basename "$s" .sh)
    [[ " $NESTED_SCRIPTS " == *" $n "* ]] || rm -f "$s"
done

# gdb and the Python its scripts run in (tests/scripts/gdb.sh): gdb's own Python files and
# the standard library, less what no test imports (the C-extension build kit, tests,
# GUI and packaging modules), with the libraries the extension modules load.
if command -v gdb >/dev/null; then
    copy_elf "$(command -v gdb)" /usr/bin/gdb
    mkdir -p "$STAGE/usr/share"
    cp -r /usr/share/gdb "$STAGE/usr/share/gdb"
    py=$(gdb -nx -batch -ex 'python import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
    if [ -n "$py" ] && [ -d "/usr/lib/python$py" ]; then
        tar -C / -cf - --exclude="config-$py-*" --exclude=test --exclude=tests \
            --exclude=idlelib --exclude=tkinter --exclude=turtledemo --exclude=ensurepip \
            --exclude=lib2to3 --exclude=pydoc_data --exclude=distutils "usr/lib/python$py" |
            tar -C "$STAGE" -xf -
        for so in "$STAGE/usr/lib/python$py"/lib-dynload/*.so; do
            for lib in $(ldd "$so" 2>/dev/null | awk '/=> \// { print $3 }'); do
                [ -e "$STAGE/$lib" ] || { mkdir -p "$STAGE/$(dirname "$lib")"; cp -L "$lib" "$STAGE/$lib"; }
            done
        done
    fi
fi

cp tests/nested/init "$STAGE/init"
chmod +x "$STAGE/init"

(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$OUT/initramfs.cpio"
echo "make_initramfs: $OUT/initramfs.cpio, $(du -h "$OUT/initramfs.cpio" | cut -f1)"
