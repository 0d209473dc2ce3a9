#!/usr/bin/env bash
# build/libukvm_string.a, linked after every application's objects, holds memcpy,
# memmove, memset, memcmp and strlen, one function per member, so that an application
# that defines some of them still gets the rest without a duplicate definition
# (tests/test_libc_own runs that case). And tests/test_libc_none, which must link only
# through the archive, really does call memcpy and memset, or its test proves nothing.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
lib=$BUILD/libukvm_string.a

if [ ! -f "$lib" ]; then
    fail string-lib "$lib was not built"
    exit 0
fi
# "member: function" for every global function, one line each.
got=$(nm -g --defined-only -A "$lib" | awk '{split($1, p, ":"); print p[2] ": " $3}' | sort |
    tr '\n' ' ')
want="memcmp.c.o: memcmp memcpy.c.o: memcpy memmove.c.o: memmove memset.c.o: memset strlen.c.o: strlen "
[ "$got" = "$want" ] && pass string-lib-one-function-per-member ||
    fail string-lib-one-function-per-member "members and their functions: $got"

obj=$BUILD/app/test_libc_none/test_libc_none.o
undefined=$(nm -u "$obj" 2>&1 | awk '{print $NF}' | tr '\n' ' ')
[[ " $undefined" == *" memcpy "* && " $undefined" == *" memset "* ]] &&
    pass libc-none-app-calls-memcpy-memset ||
    fail libc-none-app-calls-memcpy-memset "$obj needs only: $undefined"
