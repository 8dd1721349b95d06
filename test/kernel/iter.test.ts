import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { SimKernel } from "../../src/kernel/kernel.js";
import { stackString } from "../runtime/helpers-support.js";

// The task iterator (SEC("iter/task")) of the simulated kernel: SimKernel.openTaskIter runs a
// program per task with ctx { meta, task }, then once with task NULL; bpf_seq_printf /
// bpf_seq_write output is what read() returns.

/** Prints "<pid> <comm>\n" per task (read with bpf_probe_read_kernel) and "end\n" at the stop call. */
const TASKS = `
  r6 = *(u64 *)(r1 + 0)
  r7 = *(u64 *)(r1 + 8)
  r1 = r10
  r1 += -96
  r2 = 24
  r3 = r6
  call 113
  r6 = *(u64 *)(r10 - 96)
  if r7 == 0 goto stop
  r1 = r10
  r1 += -40
  r2 = 24
  r3 = r7
  call 113
  r1 = *(u32 *)(r10 - 40)
  *(u64 *)(r10 - 56) = r1
  r1 = r10
  r1 += -32
  *(u64 *)(r10 - 48) = r1
  ${stackString("%d %s\n", 72)}
  r1 = r6
  r2 = r10
  r2 += -72
  r3 = 7
  r4 = r10
  r4 += -56
  r5 = 16
  call 126
  r0 = 0
  exit
stop:
  ${stackString("end\n", 88)}
  r1 = r6
  r2 = r10
  r2 += -88
  r3 = 4
  call 127
  r0 = 0
  exit`;

async function readTasks(mode: "interp" | "jit"): Promise<string> {
  const k = await SimKernel.create({ generated: 0 });
  k.createTask({ pid: 42, comm: "cat" });
  k.createTask({ pid: 7, comm: "sh" });
  const opts = k.programOptions([]);
  const insns = assemble(TASKS);
  const jit = mode === "jit" ? await compileProgram(insns, { helpers: opts.helpers, pseudo: opts.pseudo }) : null;
  const prog = {
    run: ({ ctx }: { ctx?: Uint8Array }) => {
      const ro = { mem: k.machine.mem, helpers: opts.helpers, pseudo: opts.pseudo, ...(ctx !== undefined ? { input: ctx } : {}) };
      return jit === null ? runInterp(insns, ro) : jit.run(ro);
    },
  };
  const reader = k.openTaskIter(prog);
  const text = new TextDecoder().decode(reader.readAll());
  expect(reader.read(4096).length).toBe(0); // at the end: no stop call again
  reader.close();
  return text;
}

describe("SimKernel.openTaskIter", () => {
  it("runs the program per task in pid order, then once with no task; read() returns what it printed", async () => {
    const text = await readTasks("interp");
    expect(text).toBe("1 init\n7 sh\n42 cat\nend\n");
    expect(await readTasks("jit")).toBe(text);
  });

  it("runs a clang-built iter/task program (verified as BPF_PROG_TYPE_TRACING, trace_iter) with BPF_SEQ_PRINTF", async () => {
    // test/fixtures/kernel/iter_task.c; Linux 6.18 accepts it too (kbpf.py elf)
    const k = await SimKernel.create({ generated: 0 });
    const obj = await k.open(fileURLToPath(new URL("../fixtures/kernel/iter_task.o", import.meta.url)));
    const prog = await k.load(obj, "dump_task");
    k.createTask({ pid: 42, comm: "cat" });
    k.createTask({ pid: 7, comm: "sh" });
    const reader = k.openTaskIter(prog);
    expect(new TextDecoder().decode(reader.readAll())).toBe("1 init\n7 sh\n42 cat\n3 tasks\n");
    reader.close();
  });
});
