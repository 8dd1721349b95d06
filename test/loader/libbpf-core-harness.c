// Differential oracle for test/loader/core-libbpf.test.ts: opens an object with libbpf,
// resolving CO-RE against a given target BTF file, and prints libbpf's debug log (which
// names every patched and poisoned instruction). Loading into the kernel may fail
// afterwards (poisoned or unprivileged programs); the relocations are logged before that.
// With a third argument only that program is relocated and loaded (the kernel's verdict).
// Build: cc -O1 -o harness libbpf-core-harness.c -lbpf
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stdout, fmt, args);
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s OBJ TARGET_BTF [ONLY_PROG]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(print_fn);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[2]);
	struct bpf_object *obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		printf("HARNESS: open failed\n");
		return 1;
	}
	if (argc == 4) {
		/* load one program only (the others are neither relocated nor loaded) */
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, strcmp(bpf_program__name(p), argv[3]) == 0);
	}
	int err = bpf_object__load(obj);
	printf("HARNESS: load %d\n", err);
	bpf_object__close(obj);
	return 0;
}
