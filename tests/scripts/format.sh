#!/usr/bin/env bash
# Every tracked C source and header follows .clang-format.
set -u
cd "$(dirname "$0")/../.."
source tests/lib/common.bash
if ! command -v clang-format >/dev/null; then
    echo "SKIP clang-format: clang-format is not installed (make deps installs it)"
    exit 0
fi
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
if [ -z "$files" ]; then
    echo "SKIP clang-format: not a git checkout, no file list"
    exit 0
fi
# shellcheck disable=SC2086
if out=$(clang-format --dry-run --Werror $files 2>&1); then
    pass clang-format
else
    fail clang-format "$(grep -c 'clang-format-violations' <<<"$out") lines differ; first: $(grep -m3 'clang-format-violations' <<<"$out")"
fi
