import { readFileSync } from "node:fs";
import { InternalError, isEbpfError } from "../errors.js";
import { VerifierError } from "../verifier/error.js";
import {
  ASM_USAGE, BENCH_USAGE, CONFORMANCE_USAGE, DISASM_USAGE, MAP_USAGE, PLUGIN_USAGE, RUN_USAGE, SERVE_USAGE, SHOW_USAGE, TRACE_USAGE, VERIFY_USAGE,
} from "./usage.js";
import { LIMIT_OPTION, setMaxInputBytes } from "./input.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../exec/read-input.js";

type CommandFn = (argv: string[]) => Promise<number>;

// Each command's module is imported when it runs: `wabpf --help` loads none of them.
const COMMANDS: Record<string, { load: () => Promise<CommandFn>; usage: string; about: string }> = {
  run: { load: async () => (await import("./commands/run.js")).runCommand, usage: RUN_USAGE, about: "verify, then run a program (.data, .bin, .hex, .s, or a program of a .o) and print r0" },
  verify: { load: async () => (await import("./commands/verify.js")).verifyCommand, usage: VERIFY_USAGE.split("\n")[0]!, about: "what the Linux verifier would say about a program (log, verdict, errno)" },
  show: { load: async () => (await import("./commands/show.js")).showCommand, usage: SHOW_USAGE, about: "programs, maps and BTF of a clang-compiled object" },
  map: { load: async () => (await import("./commands/map.js")).mapCommand, usage: MAP_USAGE, about: "load an object, run programs, print its maps like bpftool map dump" },
  serve: { load: async () => (await import("./commands/serve.js")).serveCommand, usage: SERVE_USAGE, about: "the playground page on localhost (verify, run, inspect objects in a browser)" },
  conformance: { load: async () => (await import("./commands/conformance.js")).conformanceCommand, usage: CONFORMANCE_USAGE, about: "run every bpf_conformance .data vector in DIR" },
  plugin: { load: async () => (await import("./commands/plugin.js")).pluginCommand, usage: PLUGIN_USAGE, about: "bpf_conformance plugin: program hex on stdin" },
  asm: { load: async () => (await import("./commands/asm.js")).asmCommand, usage: ASM_USAGE, about: "assemble text (uBPF or LLVM syntax) to bytecode" },
  disasm: { load: async () => (await import("./commands/asm.js")).disasmCommand, usage: DISASM_USAGE, about: "print a program as the kernel prints it" },
  trace: { load: async () => (await import("./commands/trace.js")).traceCommand, usage: TRACE_USAGE, about: "attach an object's programs to the simulated kernel, drive a workload, print events and maps" },
  bench: { load: async () => (await import("./commands/bench.js")).benchCommand, usage: BENCH_USAGE, about: "bench_trigger on the simulated kernel (fentry/fexit/fmod_ret, multi-links)" },
};

function help(): string {
  return [
    "wabpf — eBPF outside the kernel: a kernel-faithful verifier, a WebAssembly JIT, a reference interpreter and a simulated kernel",
    "",
    "usage:",
    ...Object.values(COMMANDS).flatMap((c) => [`  ${c.usage}`, `      ${c.about}`]),
    "",
    `Every command takes ${LIMIT_OPTION} N: the most bytes read from a file or standard input (default ${DEFAULT_MAX_INPUT_BYTES}).`,
    "wabpf --version prints the version; wabpf COMMAND --help, that command's usage.",
    "Exit status: 0 success, 1 the program was refused, a run trapped or a test failed, 2 bad usage or input, 3 an internal error (a bug in wabpf).",
  ].join("\n");
}

/** Exit statuses. */
export const EXIT = { ok: 0, refused: 1, badInput: 2, internal: 3 } as const;

/** Errors that mean the user's input (arguments, files, objects) is wrong, not the program. */
const BAD_INPUT = new Set(["InputError", "InputReadError", "AsmError", "DecodeError", "LoaderError"]);

/**
 * The command line's error boundary: a typed error prints its message and errno name; anything
 * else is a bug in wabpf, reported as one (with the command and its input) with status 3.
 */
export function reportError(command: string, argv: readonly string[], e: unknown): number {
  if (isEbpfError(e) && !(e instanceof InternalError)) {
    // a VerifierError's message is its summary, which already ends with the errno name
    process.stderr.write(`wabpf ${command}: ${e instanceof VerifierError ? e.message : `${e.message} (${e.code})`}\n`);
    return BAD_INPUT.has(e.name) ? EXIT.badInput : EXIT.refused;
  }
  const err = e instanceof InternalError && e.cause instanceof Error ? e.cause : e instanceof Error ? e : new Error(String(e));
  const input = argv.find((a) => !a.startsWith("-"));
  process.stderr.write(
    `wabpf ${command}: internal error (a bug in wabpf, please report it with the input)${input !== undefined ? ` while handling ${input}` : ""}: ${err.name}: ${err.message}\n`,
  );
  if (process.env["WABPF_DEBUG"] !== undefined) process.stderr.write(`${err.stack ?? ""}\n`);
  return EXIT.internal;
}

/** Take `--max-input-size N` (any command) out of argv. */
function takeInputLimit(argv: string[]): string[] | string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith(`${LIMIT_OPTION}=`) ? a.slice(LIMIT_OPTION.length + 1) : null;
    if (a !== LIMIT_OPTION && eq === null) {
      out.push(a);
      continue;
    }
    const v = eq ?? argv[++i];
    const n = v !== undefined && /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) return `${LIMIT_OPTION} takes a positive number of bytes`;
    setMaxInputBytes(n);
  }
  return out;
}

/** The package's version (package.json beside src/ and dist/). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

/** Exit status: see {@link EXIT}. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...given] = argv;
  if (name === "--version" || name === "-V" || name === "version") {
    process.stdout.write(`wabpf ${version()}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const cmd = COMMANDS[name];
  if (cmd === undefined) {
    process.stderr.write(`wabpf: unknown command "${name}"\n${help()}\n`);
    return EXIT.badInput;
  }
  if (given.includes("--help") || given.includes("-h")) {
    process.stdout.write(`usage: ${cmd.usage}\n`);
    return EXIT.ok;
  }
  const rest = takeInputLimit(given);
  if (typeof rest === "string") {
    process.stderr.write(`wabpf ${name}: ${rest}\n`);
    return EXIT.badInput;
  }
  try {
    return await (await cmd.load())(rest);
  } catch (e) {
    return reportError(name, rest, e);
  }
}
