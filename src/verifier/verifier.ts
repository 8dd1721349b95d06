// The verifier: the kernel's phases in its order (structural passes, then do_check's path
// exploration with register and stack state), privileged loading (CAP_BPF + CAP_PERFMON, as
// root), x86-64. Messages are the kernel's (kernel/bpf/verifier.c, Linux 6.18); anything
// the model does not cover is rejected with a "not supported by wabpf's verifier" message
// (EOPNOTSUPP), never accepted unchecked. The concerns of do_check live beside this file,
// as functions over one VerifierEnv (env.ts); docs/architecture.md has the table.
import { Class, JmpOp, LD_IMM64, Mode, PseudoLd, opClass, opMode } from "../isa/opcode.js";
import { ERRNO, atBoundary } from "../errors.js";
import type { Insn } from "../isa/insn.js";
import { BPF_COMPLEXITY_LIMIT_INSNS } from "../isa/limits.js";
import { HELPER } from "../isa/helpers.js";
import { checkStructure } from "./structure.js";
import type { VerifyOptions, VerifyResult } from "./types.js";
import { doCheck } from "./do-check.js";
import { COMPLEXITY_LIMIT, VerifierEnv } from "./env.js";
import { computeLiveRegs } from "./liveness.js";
import { markPrunePoints } from "./prune.js";
import { Reject, fail } from "./reject.js";
import { resolveAttachTarget, tracingKind } from "./tracing.js";
import { checkMaxStackDepth } from "./stack-depth.js";

/** every BPF_PROG_LOAD flag Linux 6.18 knows (bpf_prog_load refuses others with EINVAL) */
const KNOWN_PROG_FLAGS = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x10000;

/** map types a sleepable program may use (check_map_prog_compatibility) */
const SLEEPABLE_MAPS = new Set(["hash", "lru_hash", "array", "percpu_hash", "percpu_array", "lru_percpu_hash", "array_of_maps", "hash_of_maps", "ringbuf", "user_ringbuf", "inode_storage", "sk_storage", "task_storage", "cgrp_storage", "queue"]);


/** Verify `insns` as the kernel would load them with `opts`: the verdict, the log and, when accepted, the facts for the JIT. */
export function verify(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  return atBoundary("verify", () => bpfCheck(new VerifierEnv(insns, opts)));
}

/** bpf_check: the load-time refusals, the structural passes, then do_check. */
function bpfCheck(env: VerifierEnv): VerifyResult {
  // bpf_prog_load refuses unknown flags before the verifier runs (no log)
  if (((env.opts.progFlags ?? 0) & ~KNOWN_PROG_FLAGS) !== 0) {
    const r = result(env, false, ERRNO.EINVAL, "");
    return { ...r, log: "" };
  }
  // bpf_prog_load: an empty program or one over the privileged limit is E2BIG, no log
  if (env.insns.length === 0 || env.insns.length > BPF_COMPLEXITY_LIMIT_INSNS) {
    const r = result(env, false, ERRNO.E2BIG, "");
    return { ...r, log: "" };
  }
  const st = checkStructure(env.insns, { mapCount: env.maps.length });
  if (st.error !== null) {
    env.verbose(`${st.error}\n`);
    return result(env, false, st.errno, st.error);
  }
  env.subprogs = st.subprogs;
  // resolve_pseudo_ldimm64: direct map value addresses exist for array maps only;
  // check_map_prog_compatibility: sleepable programs use a few map types only
  const sleepable = env.opts.progType === "syscall" || env.sleepable;
  for (let pc = 0; pc < env.insns.length; pc++) {
    const ins = env.insns[pc]!;
    if (ins.code !== LD_IMM64) continue;
    const isMapRef = ins.src === PseudoLd.MAP_FD || ins.src === PseudoLd.MAP_IDX || ins.src === PseudoLd.MAP_VALUE || ins.src === PseudoLd.MAP_IDX_VALUE;
    const t = env.opts.progType;
    if (isMapRef && env.maps[ins.imm]!.spinLockOff !== undefined && (t === "socket_filter" || t === "kprobe" || t === "tracepoint" || t === "perf_event" || t === "raw_tracepoint")) {
      // check_map_prog_compatibility
      const msg = t === "socket_filter" ? "socket filter progs cannot use bpf_spin_lock yet" : "tracing progs cannot use bpf_spin_lock yet";
      env.verbose(`${msg}\n`);
      return result(env, false, ERRNO.EINVAL, msg);
    }
    if (isMapRef && sleepable && !SLEEPABLE_MAPS.has(env.maps[ins.imm]!.type)) {
      const msg = "Sleepable programs can only use array, hash, ringbuf and local storage maps";
      env.verbose(`${msg}\n`);
      return result(env, false, ERRNO.EINVAL, msg);
    }
    if (ins.src === PseudoLd.MAP_VALUE || ins.src === PseudoLd.MAP_IDX_VALUE) {
      const m = env.maps[ins.imm]!;
      const off = env.insns[pc + 1]!.imm;
      let msg: string | null = null;
      if (m.type !== "array") msg = "no direct value access support for this map type";
      else if (off < 0 || off >= m.valueSize) msg = `invalid access to map value pointer, value_size=${m.valueSize} off=${off}`;
      if (msg !== null) {
        env.verbose(`${msg}\n`);
        return result(env, false, ERRNO.EINVAL, msg);
      }
    }
    pc++;
  }
  // check_attach_btf_id: which program types may be sleepable
  const t = env.opts.progType;
  const sleepableOk = t === "kprobe" || t === "syscall" || t === "lsm" || (t === "tracing" && ["fentry", "fexit", "fmod_ret", "iter"].includes(tracingKind(env.opts.expectedAttachType) ?? ""));
  if (env.sleepable && !sleepableOk) {
    const msg = "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable";
    env.verbose(`${msg}\n`);
    return result(env, false, ERRNO.EINVAL, msg);
  }
  // check_abnormal_return: without BTF func_info, subprograms may not tail call
  if (env.opts.funcInfo !== true) {
    for (let k = 1; k < env.subprogs.length; k++) {
      const end = env.subprogs[k + 1] ?? env.insns.length;
      let hasLdAbs = false;
      let hasTail = false;
      for (let pc = env.subprogs[k]!; pc < end; pc++) {
        const ins = env.insns[pc]!;
        const ldAbs = opClass(ins.code) === Class.LD && (opMode(ins.code) === Mode.ABS || opMode(ins.code) === Mode.IND);
        const tail = ins.code === (Class.JMP | JmpOp.CALL) && ins.src === 0 && ins.imm === HELPER.tail_call;
        hasLdAbs ||= ldAbs;
        hasTail ||= tail;
      }
      const msg = hasLdAbs ? "LD_ABS is not allowed in subprogs without BTF" : hasTail ? "tail_call is not allowed in subprogs without BTF" : null;
      if (msg !== null) {
        env.verbose(`${msg}\n`);
        return result(env, false, ERRNO.EINVAL, msg);
      }
    }
  }
  // check_attach_btf_id: tracing and LSM programs are typed by their target
  if (env.opts.progType === "tracing" || env.opts.progType === "lsm") {
    const kind = env.opts.progType === "lsm" ? "lsm" : tracingKind(env.opts.expectedAttachType);
    try {
      if (kind === null) fail(ERRNO.EINVAL, "Tracing programs must provide btf_id");
      env.attach = resolveAttachTarget(env.opts.attachBtf, kind!, env.opts.attachTarget);
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      for (const l of e.lines) env.verbose(`${l}\n`);
      return result(env, false, e.errno, e.lines[0] ?? null);
    }
  }
  env.subprogs.forEach(() => env.stackDepth.push(0));
  markPrunePoints(env);
  env.live = computeLiveRegs(env.insns);
  try {
    doCheck(env);
    checkMaxStackDepth(env);
    env.curPc = -1;
    if (env.unresolvedKfuncCall) fail(ERRNO.EINVAL, "invalid kernel function call not eliminated in verifier pass");
  } catch (e) {
    if (e instanceof Reject) {
      for (const l of e.lines) env.verbose(`${l}\n`);
      const r = result(env, false, e.errno, e.lines[0] ?? null);
      return env.curPc >= 0 ? { ...r, errorInsn: env.curPc } : r;
    }
    throw e;
  }
  return result(env, true, null, null);
}

function result(env: VerifierEnv, accepted: boolean, errno: number | null, error: string | null): VerifyResult {
  if (env.logLevel > 0) {
    env.log.push(`processed ${env.processed} insns (limit ${COMPLEXITY_LIMIT}) max_states_per_insn ${env.maxStatesPerInsn} total_states ${env.totalStates} peak_states ${env.peakStates} mark_read 0\n`);
  }
  const maxStackDepth = Math.max(0, ...env.stackDepth);
  return {
    accepted,
    errno,
    error,
    insnsProcessed: env.processed,
    log: env.log.join(""),
    maxStackDepth,
    facts: {
      maxStackDepth,
      insn: env.facts.map((f) =>
        !accepted
          ? undefined
          : {
              ...(f.safeAccess === true ? { safeAccess: true } : {}),
              ...(f.divSeen === true && f.zeroSeen !== true ? { divisorNonZero: true } : {}),
              ...(f.taken === true && f.fallen !== true ? { branch: "always" as const } : {}),
              ...(f.fallen === true && f.taken !== true ? { branch: "never" as const } : {}),
              ...(f.mapInR1 !== undefined && f.mapInR1 >= 0 ? { mapInR1: f.mapInR1 } : {}),
              ...(f.callbackInR2 !== undefined && f.callbackInR2 >= 0 ? { callbackInR2: f.callbackInR2 } : {}),
              ...(f.probeMem === true ? { probeMem: true } : {}),
            },
      ),
    },
  };
}
