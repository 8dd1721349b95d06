// How the verifier refuses: a Reject carries the kernel's error lines and errno up to
// bpf_check (verifier.ts), which logs them.
import { ERRNO } from "../errors.js";

/** A rejection: the error lines the kernel prints, and its errno. */
export class Reject extends Error {
  constructor(
    readonly errno: number,
    readonly lines: string[],
  ) {
    super(lines[0]);
  }
}

/** Refuse the program with `errno`; the lines go to the log. */
export const fail = (errno: number, ...lines: string[]): never => {
  throw new Reject(errno, lines);
};

/** Refuse what the model does not cover (EOPNOTSUPP), never accept it unchecked. */
export const unsupported = (what: string): never => fail(ERRNO.EOPNOTSUPP, `${what} is not supported by wabpf's verifier yet`);
