#!/bin/sh
# Rebuild the example objects from their C sources (the committed .o files are what the tests
# and `wabpf trace` use, so running the examples needs no clang).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
for src in *.bpf.c; do
	obj=${src%.bpf.c}.bpf.o
	"$CLANG" -O2 -g -target bpf -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -c "$src" -o "$obj"
	echo "$obj"
done
