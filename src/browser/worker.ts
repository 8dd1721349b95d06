// The playground's worker: verification, JIT compilation and runs happen here, off the page's
// main thread. Messages: { id, kind, req } in; { id, ok, result | error } out.
import { atBoundary } from "../errors.js";
import { errorToWire } from "./wire-error.js";
import type { EngineName } from "../exec/engine.js";
import { conformanceRequest, mapRequest, objectRequest, runRequest, traceRequest, triggerRequest, verifyRequest } from "./engine.js";

interface Message {
  readonly id: number;
  readonly kind: "verify" | "run" | "object" | "conformance" | "map" | "trace" | "trigger";
  // the request's shape depends on `kind` (see engine.ts); checked there
  readonly req: never;
}

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<Message>) => void) | null; postMessage(m: unknown): void };

scope.onmessage = (e: MessageEvent<Message>): void => {
  const { id, kind, req } = e.data;
  const work = async (): Promise<unknown> => {
    switch (kind) {
      case "verify":
        return verifyRequest(req);
      case "run":
        return runRequest(req);
      case "object":
        return objectRequest(req);
      case "map":
        return mapRequest(req);
      case "trace":
        return traceRequest(req);
      case "trigger":
        return triggerRequest(req);
      case "conformance": {
        const r = req as { vectors: Array<{ name: string; text: string }>; engine: EngineName };
        return conformanceRequest(r.vectors, r.engine);
      }
    }
  };
  // the worker's error boundary: typed errors as data the page rebuilds, anything else as a bug
  atBoundary(`playground ${kind}`, work).then(
    (result) => scope.postMessage({ id, ok: true, result }),
    (err: unknown) => scope.postMessage({ id, ok: false, ...errorToWire(`playground ${kind}`, err) }),
  );
};
scope.postMessage({ id: 0, ok: true, result: "ready" });
