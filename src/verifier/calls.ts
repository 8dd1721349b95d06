// Calls and exits: helper calls (check_helper_call), bpf-to-bpf calls (check_func_call),
// callbacks (push_callback_call), frame exits (prepare_func_exit), reference leaks.
import * as S from "./scalar.js";
import { ERRNO } from "../errors.js";
import { MAX_CALL_FRAMES } from "../isa/limits.js";
import { HELPER } from "../isa/helpers.js";
import { GPL_ONLY_HELPERS, TRACING_GPL_ONLY_HELPERS, helperAvailable, tracingHelperAvailable, tracingHelperRefusal } from "./helper-table.js";
import { FUNC_MAX_ID, GPL_LICENSES, MAP_TYPE_IDS, PROG_TYPE_IDS, helperProto, kernelHelperName } from "./helpers.js";
import { NOT_INIT, cloneState, cur, formatFrame, isPkt, newFrame, ptrReg, scalarReg, unknownReg, forEachReg, type State } from "./state.js";
import { JMP_SEQ_LIMIT, type Path, type VerifierEnv } from "./env.js";
import { checkFuncArg, type CallMeta } from "./helper-args.js";
import { fail, unsupported } from "./reject.js";
import { checkRcuLeak } from "./kfuncs.js";
import { btfPtrReg } from "./memory.js";
import { BTF_FLAG } from "./btf-walk.js";
import { invalidScalar, checkReturnCode } from "./return-code.js";
import { checkSnprintfCall } from "./snprintf-check.js";

/** A value seen on one more path: kept while every path agrees, else -1. */
const agree = (seen: number | undefined, v: number): number => (seen === undefined || seen === v ? v : -1);


/** check_helper_call: the prototype's arguments, the map and reference bookkeeping, callbacks, R0. */
export function checkHelperCall(env: VerifierEnv, id: number, p: Path, work: Path[]): void {
  const s = p.state;
  const name = kernelHelperName(id);
  if (id < 0 || id >= FUNC_MAX_ID) fail(ERRNO.EINVAL, `invalid func unknown#${id}`);
  if (id === HELPER.unspec) fail(ERRNO.EINVAL, `program of this type cannot use helper ${name}#${id}`);
  const proto = helperProto(id, env.opts.progType);
  const gplOk = GPL_LICENSES.has(env.opts.license ?? "GPL");
  const a = env.attach;
  if (a !== null) {
    // tracing and LSM: what the attach type's get_func_proto offers (recorded from Linux), then the prototype's own refusals
    const attachType = env.opts.progType === "lsm" ? "lsm_mac" : (env.opts.expectedAttachType ?? "").replace(/_multi$/, "");
    if (!tracingHelperAvailable(attachType, id, a.kind === "iter" ? a.name.replace(/^bpf_iter_/, "") : undefined)) fail(ERRNO.EINVAL, `program of this type cannot use helper ${name}#${id}`);
    if (TRACING_GPL_ONLY_HELPERS.has(id) && !gplOk) fail(ERRNO.EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
    const refusal = tracingHelperRefusal(attachType, id, { attachTarget: a.name, sleepable: env.sleepable });
    if (refusal !== null) fail(ERRNO.EINVAL, refusal);
    if (id === HELPER.get_func_ip && (a.kind === "tp_btf" || a.kind === "iter")) fail(ERRNO.ENOTSUPP, `func ${name}#${id} supported only for fentry/fexit/fmod_ret programs`);
    if (proto === undefined) return unsupported(`helper ${name}#${id}`);
  } else {
    if (proto === undefined) {
      // not modelled: the kernel's refusals where it refuses, "not supported" where it would go on
      if (!helperAvailable(env.opts.progType, id)) fail(ERRNO.EINVAL, `program of this type cannot use helper ${name}#${id}`);
      if (GPL_ONLY_HELPERS.has(id) && !gplOk) fail(ERRNO.EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
      return unsupported(`helper ${name}#${id}`);
    }
    if (!proto.allowed(env.opts.progType)) fail(ERRNO.EINVAL, `program of this type cannot use helper ${name}#${id}`);
    if (proto.gplOnly && !gplOk) fail(ERRNO.EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
    if (proto.notAllowedIn?.(env.opts.progType) === true) fail(ERRNO.EINVAL, "helper call is not allowed in probe");
    if (proto.mightSleep === true && env.opts.progType !== "syscall" && !env.sleepable) fail(ERRNO.EINVAL, "helper call might sleep in a non-sleepable prog");
    // bpf_get_func_ip: kprobes only among the other program types
    if (id === HELPER.get_func_ip && env.opts.progType !== "kprobe") fail(ERRNO.ENOTSUPP, `func ${name}#${id} not supported for program type ${PROG_TYPE_IDS[env.opts.progType]}`);
  }
  const meta: CallMeta = { mapIdx: -1, constKey: null, allocSize: 0, releaseRef: 0, callback: -1, msizeMax: 0n, kptr: null };
  proto.args.forEach((a, i) => {
    const regno = i + 1;
    const r = env.readReg(s, regno);
    checkFuncArg(env, s, a, regno, r, meta, proto.args[i - 1], id);
  });
  if (id === HELPER.snprintf) checkSnprintfCall(env, s);
  const mapIdx = meta.mapIdx;
  // what the JIT may bind at compile time: the map in r1, the callback in r2
  const f = env.facts[p.pc]!;
  if (proto.args[0] === "map_ptr") f.mapInR1 = agree(f.mapInR1, mapIdx);
  if (proto.args[1] === "func") f.callbackInR2 = agree(f.callbackInR2, meta.callback);
  // set_map_elem_callback_state: the map must implement for-each callbacks
  if (id === HELPER.for_each_map_elem && meta.callback >= 0 && mapIdx >= 0 && !proto.mapTypes!.includes(env.maps[mapIdx]!.type)) fail(524, "callback function not allowed for map");
  if (mapIdx >= 0 && proto.mapTypes !== undefined) {
    const m = env.maps[mapIdx]!;
    if (!proto.mapTypes.includes(m.type)) {
      if (MAP_TYPE_IDS[m.type] === undefined) return unsupported(`map type ${m.type}`);
      fail(ERRNO.EINVAL, `cannot pass map_type ${MAP_TYPE_IDS[m.type]} into func ${name}#${id}`);
    }
  }
  for (const m of env.maps) if (m.type === "prog_array" && mapIdx >= 0 && env.maps[mapIdx] === m && id !== HELPER.tail_call) fail(ERRNO.EINVAL, `cannot pass map_type 3 into func ${name}#${id}`);
  if (meta.releaseRef !== 0) {
    // release_reference: the reference is gone, and every copy of the pointer with it
    const ref = meta.releaseRef;
    s.refs = s.refs.filter((r) => r.id !== ref);
    forEachReg(s, (r) => (r.refObjId === ref && r.type !== "scalar" ? unknownReg() : r));
  }
  if (id === HELPER.tail_call) checkResourceLeak(s, "tail_call");
  if (meta.callback >= 0) {
    // push_callback_call: the callback is explored as a frame entered from this call; its
    // exit comes back to the call, which schedules the next visit until states repeat
    const caller = cur(s);
    const nr = caller.regs[1]!.v.umax;
    if (id === HELPER.for_each_map_elem || BigInt(caller.callbackDepth) < nr) pushCallback(env, p, work, id, meta);
    caller.callbackDepth = 0;
  }
  if (proto.changesPkt === true) forEachReg(s, (r) => (isPkt(r) || r.type === "pkt_end" ? unknownReg() : r));
  for (let r = 1; r <= 5; r++) env.setReg(s, r, NOT_INIT);
  if (proto.ret === "map_value_or_null") {
    const m = env.maps[mapIdx]!;
    // an array lookup with a constant key inside the map cannot fail (can_elide_value_nullness)
    const sure = (m.type === "array" || m.type === "percpu_array") && meta.constKey !== null && meta.constKey < BigInt(m.maxEntries);
    env.setReg(s, 0, sure ? ptrReg("map_value", { map: mapIdx, id: m.spinLockOff !== undefined ? ++env.idGen : 0 }) : ptrReg("map_value", { nullable: true, map: mapIdx, id: ++env.idGen }));
  } else if (proto.ret === "ringbuf_mem_or_null") {
    ++env.idGen;
    const ref = ++env.idGen;
    s.refs = [...s.refs, { id: ref, insn: p.pc }];
    env.setReg(s, 0, ptrReg("ringbuf_mem", { nullable: true, id: ref, refObjId: ref, memSize: meta.allocSize }));
  } else if (proto.ret.startsWith("btf:") || proto.ret.startsWith("btfp:") || proto.ret.startsWith("btfp_or_null:")) {
    // RET_PTR_TO_BTF_ID_TRUSTED (btf:), RET_PTR_TO_BTF_ID (btfp:), RET_PTR_TO_BTF_ID_OR_NULL (btfp_or_null:)
    const target = proto.ret.slice(proto.ret.indexOf(":") + 1);
    const btf = env.opts.attachBtf;
    const bid = btf?.findByName(target, "STRUCT")[0];
    if (btf === undefined || bid === undefined) return unsupported(`helper ${name}#${id} without the kernel's BTF of struct ${target}`);
    env.setReg(s, 0, btfPtrReg(env, bid, proto.ret.startsWith("btf:") ? BTF_FLAG.TRUSTED : 0, proto.ret.startsWith("btfp_or_null:")));
  } else if (proto.ret === "void") {
    env.setReg(s, 0, NOT_INIT);
  } else if (proto.ret === "kptr") {
    // the field's old object, now the program's: a new reference, maybe null
    const k = meta.kptr;
    const bid = k === null ? undefined : env.opts.attachBtf?.findByName(k.struct, "STRUCT")[0];
    if (k === null || bid === undefined) return unsupported(`helper ${name}#${id} without the kernel's BTF of the kptr's struct`);
    const r0 = btfPtrReg(env, bid, 0, true);
    const ref = ++env.idGen;
    s.refs = [...s.refs, { id: ref, insn: p.pc }];
    env.setReg(s, 0, { ...r0, id: ref, refObjId: ref });
  } else if (REFINED_RETVAL.has(id)) {
    // do_refine_retval_range: a length written into the buffer, or a negative errno
    const MAX_ERRNO = 4095n;
    const v = S.boundsSync({ ...S.scalarUnknown(), smin: -MAX_ERRNO, smax: meta.msizeMax, s32min: -MAX_ERRNO, s32max: meta.msizeMax });
    env.setReg(s, 0, scalarReg(v));
  } else {
    env.setReg(s, 0, unknownReg());
  }
}

/** Helpers whose result do_refine_retval_range bounds by the buffer size. */
const REFINED_RETVAL: ReadonlySet<number> = new Set([HELPER.get_stack, HELPER.get_task_stack, HELPER.probe_read_str, HELPER.probe_read_kernel_str, HELPER.probe_read_user_str]);

/** check_resource_leak: no lock held and every acquired reference released before `what`. */
export function checkResourceLeak(s: State, what: string): void {
  if (s.lock !== null) fail(ERRNO.EINVAL, `${what} cannot be used inside bpf_spin_lock-ed region`);
  if (s.refs.length !== 0) fail(ERRNO.EINVAL, ...s.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`), `${what} would lead to reference leak`);
  checkRcuLeak(s, what);
}

/** push_callback_call with set_loop_callback_state / set_map_elem_callback_state */
function pushCallback(env: VerifierEnv, p: Path, work: Path[], id: number, meta: CallMeta): void {
  const s = p.state;
  if (s.frames.length >= MAX_CALL_FRAMES) fail(ERRNO.E2BIG, `the call stack of ${s.frames.length + 1} frames is too deep`);
  const cs = cloneState(s);
  const caller = cur(cs);
  caller.callbackDepth++;
  const callee = newFrame(p.pc, env.subprogs.indexOf(meta.callback), cs.frames.length, true);
  if (id === HELPER.loop) {
    callee.regs[1] = unknownReg();
    callee.regs[2] = caller.regs[3]!;
  } else {
    callee.regs[1] = caller.regs[1]!;
    callee.regs[2] = ptrReg("map_key", { map: meta.mapIdx });
    callee.regs[3] = ptrReg("map_value", { map: meta.mapIdx });
    callee.regs[4] = caller.regs[3]!;
  }
  cs.frames.push(callee);
  if (p.checkpoint !== null) p.checkpoint.branches++;
  work.push({ pc: meta.callback, prevPc: p.pc, state: cs, checkpoint: p.checkpoint, logPos: env.log.length });
  if (work.length > JMP_SEQ_LIMIT) fail(ERRNO.EFAULT, `The sequence of ${work.length} jumps is too complex.`);
}

/** check_func_call: a bpf-to-bpf call enters a new frame. */
export function checkFuncCall(env: VerifierEnv, p: Path): "frame" {
  const s = p.state;
  const ins = env.insns[p.pc]!;
  if (s.frames.length >= MAX_CALL_FRAMES) fail(ERRNO.E2BIG, `the call stack of ${s.frames.length + 1} frames is too deep`);
  const target = p.pc + 1 + ins.imm;
  const subprog = env.subprogs.indexOf(target);
  const caller = cur(s);
  const callee = newFrame(p.pc, subprog, s.frames.length);
  for (let r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r]!;
  for (let r = 0; r <= 5; r++) caller.regs[r] = NOT_INIT;
  s.frames.push(callee);
  if (env.logLevel > 0) {
    env.verbose(`caller:\n${formatFrame(caller, env.maps)}\ncallee:\n${formatFrame(callee, env.maps)}\n`);
  }
  p.prevPc = p.pc;
  p.pc = target;
  return "frame";
}

/** BPF_EXIT: back to the caller or the calling helper (prepare_func_exit), or the end of the path. */
export function checkExit(env: VerifierEnv, p: Path): number | "exit" | "frame" {
  const s = p.state;
  if (s.frames.length === 1) checkResourceLeak(s, "BPF_EXIT instruction in main prog");
  if (s.frames.length > 1 && cur(s).inCallback) {
    // prepare_func_exit for a callback: R0 in [0, 1], then back to the calling helper
    const r0 = cur(s).regs[0]!;
    env.scratchRegs.add(0);
    if (r0.type !== "scalar") fail(ERRNO.EACCES, "R0 not a scalar value");
    if (r0.v.smin < 0n || r0.v.smax > 1n) fail(ERRNO.EINVAL, invalidScalar(r0, 0, 1, "At callback return"));
    const callee = s.frames.pop()!;
    if (env.logLevel > 0) env.verbose(`returning from callee:\n${formatFrame(callee, env.maps)}\nto caller at ${callee.callsite}:\n${formatFrame(cur(s), env.maps)}\n`);
    p.prevPc = p.pc;
    p.pc = callee.callsite;
    return "frame";
  }
  if (s.frames.length > 1) {
    const r0 = cur(s).regs[0]!;
    env.scratchRegs.add(0);
    const callee = s.frames.pop()!;
    if (r0.type === "fp" && r0.frameno === callee.frameno) fail(ERRNO.EINVAL, "cannot return stack pointer to the caller");
    const caller = cur(s);
    caller.regs[0] = r0;
    if (env.logLevel > 0) env.verbose(`returning from callee:\n${formatFrame(callee, env.maps)}\nto caller at ${callee.callsite + 1}:\n${formatFrame(caller, env.maps)}\n`);
    p.prevPc = p.pc;
    p.pc = callee.callsite + 1;
    return "frame";
  }
  checkReturnCode(env, env.readReg(s, 0));
  return "exit";
}
