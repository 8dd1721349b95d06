// Errors across postMessage: the worker sends an EbpfError as data, the page rebuilds a typed
// error from it (a VerifierError with its verdict and log; any other as an EbpfError with its
// code), so page code can branch on the class and `code` as it would in-process.
import { EbpfError, InternalError, asEbpfError, type Errno } from "../errors.js";
import { VerifierError, type VerifierErrorData } from "../verifier/error.js";

/** What the worker posts for a failed request. */
export interface WireError {
  /** the text a page shows: the message and, unless it already ends with it, the errno name */
  readonly error: string;
  readonly code: Errno;
  /** a bug in wabpf (an InternalError), not the user's input */
  readonly internal: boolean;
  /** a refused program: everything to rebuild the VerifierError */
  readonly verifier?: VerifierErrorData;
}

export function errorToWire(where: string, err: unknown): WireError {
  const e = asEbpfError(where, err);
  if (e instanceof VerifierError) return { error: e.message, code: e.code, internal: false, verifier: e.toData() };
  return { error: `${e.message} (${e.code})`, code: e.code, internal: e instanceof InternalError };
}

export function errorFromWire(w: WireError): EbpfError {
  if (w.verifier !== undefined) return VerifierError.fromData(w.verifier);
  return new EbpfError(w.code, w.error);
}
