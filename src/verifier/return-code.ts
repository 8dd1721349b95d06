// check_return_code: the range R0 must be in at program exit, per program type.
import { ERRNO } from "../errors.js";
import { returnRange } from "./prog-types.js";
import { regTypeStr, type Reg } from "./state.js";
import { S64_MIN, type VerifierEnv } from "./env.js";
import { fail } from "./reject.js";
import { tracingReturnRange } from "./tracing.js";

/** verbose_invalid_scalar */
export function invalidScalar(r: Reg, lo: number, hi: number, ctx: string): string {
  const S64_MAX = (1n << 63n) - 1n;
  let text = "";
  if (r.v.smin > S64_MIN) text += ` smin=${r.v.smin}`;
  if (r.v.smax < S64_MAX) text += ` smax=${r.v.smax}`;
  if (text === "") text = " unknown scalar value";
  return `${ctx} the register R0 has${text} should have been in [${lo}, ${hi}]`;
}

/** check_return_code */
export function checkReturnCode(env: VerifierEnv, r0: Reg): void {
  const range = env.attach !== null ? tracingReturnRange(env.attach) : returnRange(env.opts.progType, env.opts.expectedAttachType);
  if (range === null) return;
  if (r0.type !== "scalar") fail(ERRNO.EINVAL, `At program exit the register R0 is not a known value (${regTypeStr(r0)})`);
  const [lo, hi] = range;
  if (r0.v.smin < BigInt(lo) || r0.v.smax > BigInt(hi)) fail(ERRNO.EINVAL, invalidScalar(r0, lo, hi, "At program exit"));
}
