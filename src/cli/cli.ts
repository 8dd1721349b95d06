import { isEbpfError } from "../errors.js";
import { asmCommand, ASM_USAGE, disasmCommand, DISASM_USAGE } from "./commands/asm.js";
import { conformanceCommand, CONFORMANCE_USAGE } from "./commands/conformance.js";
import { pluginCommand, PLUGIN_USAGE } from "./commands/plugin.js";
import { runCommand, RUN_USAGE } from "./commands/run.js";
import { verifyCommand, VERIFY_USAGE } from "./commands/verify.js";
import { showCommand, SHOW_USAGE } from "./commands/show.js";
import { mapCommand, MAP_USAGE } from "./commands/map.js";
import { serveCommand, SERVE_USAGE } from "./commands/serve.js";
import { benchCommand, BENCH_USAGE } from "./commands/bench.js";
import { traceCommand, TRACE_USAGE } from "./commands/trace.js";
import { InputError } from "./program-file.js";

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string; about: string }> = {
  run: { run: runCommand, usage: RUN_USAGE, about: "verify, then run a program (.data, .bin, .hex, .s, or a program of a .o) and print r0" },
  verify: { run: verifyCommand, usage: VERIFY_USAGE.split("\n")[0]!, about: "what the Linux verifier would say about a program (log, verdict, errno)" },
  show: { run: showCommand, usage: SHOW_USAGE, about: "programs, maps and BTF of a clang-compiled object" },
  map: { run: mapCommand, usage: MAP_USAGE, about: "load an object, run programs, print its maps like bpftool map dump" },
  serve: { run: serveCommand, usage: SERVE_USAGE, about: "the playground page on localhost (verify, run, inspect objects in a browser)" },
  conformance: { run: conformanceCommand, usage: CONFORMANCE_USAGE, about: "run every bpf_conformance .data vector in DIR" },
  plugin: { run: pluginCommand, usage: PLUGIN_USAGE, about: "bpf_conformance plugin: program hex on stdin" },
  asm: { run: asmCommand, usage: ASM_USAGE, about: "assemble text (uBPF or LLVM syntax) to bytecode" },
  disasm: { run: disasmCommand, usage: DISASM_USAGE, about: "print a program as the kernel prints it" },
  trace: { run: traceCommand, usage: TRACE_USAGE, about: "attach an object's programs to the simulated kernel, drive a workload, print events and maps" },
  bench: { run: benchCommand, usage: BENCH_USAGE, about: "bench_trigger on the simulated kernel (fentry/fexit/fmod_ret, multi-links)" },
};

function help(): string {
  return [
    "wabpf — eBPF outside the kernel: a kernel-faithful verifier, a WebAssembly JIT, a reference interpreter and a simulated kernel",
    "",
    "usage:",
    ...Object.values(COMMANDS).flatMap((c) => [`  ${c.usage}`, `      ${c.about}`]),
    "",
    "Exit status: 0 success, 1 the program was rejected or a test failed, 2 bad usage or unreadable input.",
  ].join("\n");
}

/** Exit status: 0 ok, 1 a run or test failed, 2 bad usage or unreadable input. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  if (cmd === undefined) {
    process.stderr.write(`wabpf: unknown command "${name}"\n${help()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`usage: ${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    const err = e as Error;
    const label = isEbpfError(e) ? `${err.name} (${e.code})` : err.name;
    process.stderr.write(`wabpf ${name}: ${label}: ${err.message}\n`);
    return e instanceof InputError || (isEbpfError(e) && (err.name === "AsmError" || err.name === "DecodeError" || err.name === "LoaderError")) ? 2 : 1;
  }
}
