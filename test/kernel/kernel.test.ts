import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_FUNCTIONS, SimKernel, KERNEL_TEXT_BASE } from "../../src/kernel/index.js";
import { EbpfError } from "../../src/errors.js";

const hasBpftool = spawnSync("bpftool", ["version"]).status === 0;

describe("the simulated kernel", () => {
  let k: SimKernel;
  beforeAll(async () => {
    k = await SimKernel.create();
  });

  it("has built-in functions, a few thousand generated ones, addresses and a kallsyms listing", () => {
    expect(k.functions.length).toBe(BUILTIN_FUNCTIONS.length + 3000);
    const f = k.fn("vfs_read");
    expect(f.nargs).toBe(4);
    expect(f.ip).toBe(KERNEL_TEXT_BASE + BigInt(f.index) * 0x40n);
    expect(k.fnByIp(f.ip)).toBe(f);
    const lines = k.kallsyms().trimEnd().split("\n");
    expect(lines.length).toBe(k.functions.length);
    expect(lines[0]).toBe("ffffffff81000000 T bpf_get_numa_node_id");
    expect(lines).toContain(`${f.ip.toString(16)} T vfs_read`);
    expect(k.match("bpf_fentry_test*").map((x) => x.name)).toEqual(["bpf_fentry_test1", "bpf_fentry_test2", "bpf_fentry_test3"]);
  });

  it("runs kernel functions through their entries, and the syscall path with the current task", () => {
    expect(k.call("bpf_fentry_test3", 1n, 2n, 3n)).toBe(6n);
    const t = k.createTask({ pid: 4242, tgid: 4240, comm: "bench" });
    k.setCurrent(t);
    expect(k.syscall(121)).toBe(4240n); // getpgid
    expect(k.syscall(999)).toBe(BigInt.asUintN(64, -38n)); // ENOSYS
    k.openFile(3, 100n);
    expect(k.syscall(0, 3n, 0x300000n, 64n)).toBe(64n); // read: 64 of 100 bytes
    expect(k.syscall(0, 3n, 0x300000n, 64n)).toBe(36n);
    expect(k.syscall(0, 3n, 0x300000n, 64n)).toBe(0n);
    expect(k.syscall(0, 5n, 0n, 1n)).toBe(BigInt.asUintN(64, -9n)); // EBADF
    expect(k.syscall(62, 4240n, 9n)).toBe(0n); // kill(self, SIGKILL) allowed by security_task_kill
  });

  it("marks fmod_ret targets: the error-injection list and int-returning security_ hooks", () => {
    expect(k.fn("should_failslab").modifyReturn).toBe(true);
    expect(k.fn("security_file_permission").modifyReturn).toBe(true);
    expect(k.fn("__x64_sys_getpgid").modifyReturn).toBe(true);
    expect(k.fn("vfs_read").modifyReturn).toBe(false);
    expect(k.fn("bpf_fentry_test1").modifyReturn).toBe(false);
  });

  it("describes every function in its BTF with a FUNC_PROTO", () => {
    const btf = k.btf;
    const id = k.btfFuncId("vfs_read")!;
    const func = btf.types[id]!;
    expect(func.kind).toBe("FUNC");
    const proto = btf.types[(func as { type: number }).type]!;
    expect(proto.kind).toBe("FUNC_PROTO");
    expect((proto as { params: readonly { name: string }[] }).params.map((p) => p.name)).toEqual(["file", "buf", "count", "pos"]);
  });

  it("defines kernel functions from the host (slow path) that trampolines trace like the others", () => {
    const seen: bigint[][] = [];
    const f = k.defineFunction({ name: "my_subsys_op", params: [["a", "int"], ["p", "struct file *"]], ret: "int" }, (a, p) => {
      seen.push([a!, p!]);
      return a! * 2n;
    });
    expect(k.call("my_subsys_op", 21n, 0x1000n)).toBe(42n);
    expect(seen).toEqual([[21n, 0x1000n]]);
    expect(k.kallsyms()).toContain(`${f.ip.toString(16)} T my_subsys_op`);
    expect(k.btfFuncId("my_subsys_op")).toBeGreaterThan(0);
    expect(() => k.defineFunction({ name: "my_subsys_op", params: [], ret: "void" }, () => 0n)).toThrow(EbpfError);
  });

  it.skipIf(!hasBpftool)("writes real BTF: bpftool btf dump file reads it", () => {
    if (!hasBpftool) return;
    const dir = mkdtempSync(join(tmpdir(), "wabpf-btf-"));
    const file = join(dir, "vmlinux");
    writeFileSync(file, k.btfBytes);
    const raw = execFileSync("bpftool", ["btf", "dump", "file", file, "format", "raw"], { encoding: "utf8" });
    expect(raw).toMatch(/FUNC 'vfs_read' type_id=\d+ linkage=global/);
    expect(raw).toMatch(/STRUCT 'task_struct' size=40 vlen=5/);
    const c = execFileSync("bpftool", ["btf", "dump", "file", file, "format", "c"], { encoding: "utf8" });
    expect(c).toContain("struct file {");
    expect(c).toContain("typedef __u64 u64;");
  });
  if (!hasBpftool) console.log("skipped the bpftool BTF check: bpftool is not installed");
});
