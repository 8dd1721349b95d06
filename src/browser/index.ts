// wabpf in a web page: a client that sends the work to a Worker running the engine (so that
// verification and binaryen's compilation never block the page), and the engine calls
// themselves for pages that prefer to call directly.
import type { MapRequest, ObjectReply, RunReply, RunRequest, TraceRequest, TriggerReply, TriggerRequest, VectorResult, VerifyReply, VerifyRequest } from "./engine.js";
import { errorFromWire, type WireError } from "./wire-error.js";
import type { EbpfError } from "../errors.js";
import type { EngineName } from "../exec/engine.js";

export * from "./engine.js";
// what a failed request rejects with: a VerifierError for a refused program, else an EbpfError
export { EbpfError } from "../errors.js";
export { VerifierError } from "../verifier/error.js";

type Pending = { resolve: (v: unknown) => void; reject: (e: EbpfError) => void };

export class WabpfWorkerClient {
  private readonly worker: Worker;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  /** resolves once the worker has loaded the engine */
  readonly ready: Promise<void>;

  constructor(workerUrl: URL) {
    this.worker = new Worker(workerUrl, { type: "module" });
    let started: () => void = () => undefined;
    this.ready = new Promise((r) => (started = r));
    this.worker.onmessage = (e: MessageEvent<{ id: number; ok: true; result: unknown } | ({ id: number; ok: false } & WireError)>): void => {
      const { id } = e.data;
      if (id === 0) return started();
      const p = this.pending.get(id);
      if (p === undefined) return;
      this.pending.delete(id);
      if (e.data.ok) p.resolve(e.data.result);
      else p.reject(errorFromWire(e.data));
    };
  }

  private call<T>(kind: string, req: unknown): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, kind, req });
    });
  }

  verify(req: VerifyRequest): Promise<VerifyReply> {
    return this.call("verify", req);
  }
  run(req: RunRequest): Promise<RunReply> {
    return this.call("run", req);
  }
  object(bytes: Uint8Array): Promise<ObjectReply> {
    return this.call("object", bytes);
  }
  map(req: MapRequest): Promise<string> {
    return this.call("map", req);
  }
  trace(req: TraceRequest): Promise<string> {
    return this.call("trace", req);
  }
  trigger(req: TriggerRequest): Promise<TriggerReply> {
    return this.call("trigger", req);
  }
  conformance(vectors: ReadonlyArray<{ name: string; text: string }>, engine: EngineName): Promise<VectorResult[]> {
    return this.call("conformance", { vectors, engine });
  }
}
