// `wabpf serve`: the playground (web/) on localhost, with the browser build and the
// AssemblyScript runtime it fetches. A plain static server: GET only, no directory listings.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, positiveInt } from "../args.js";
import { InputError } from "../program-file.js";


/** The package root: web/, web/dist/ and build/runtime.wasm live under it. */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".o": "application/octet-stream",
};
/** Only these trees are served. */
const ALLOWED = ["web", "build", "examples", join("test", "fixtures")];

export function playgroundServer(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/" || url.pathname === "/index.html") {
      // the page's relative URLs (app.js, dist/) resolve under /web/
      res.writeHead(302, { location: `/web/index.html${url.search}` }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    const rel = normalize(path).replace(/^[/\\]+/, "");
    if (req.method !== "GET" || rel.split(sep).includes("..") || !ALLOWED.some((a) => rel === a || rel.startsWith(a + sep))) {
      res.writeHead(404).end("not found");
      return;
    }
    readFile(join(ROOT, rel)).then(
      (body) => res.writeHead(200, { "content-type": TYPES[extname(rel)] ?? "application/octet-stream", "cache-control": "no-cache" }).end(body),
      () => res.writeHead(404).end("not found"),
    );
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: "string" }, host: { type: "string" } });
  const port = positiveInt(values.port, "--port", 8080);
  if (port > 65535) throw new InputError(`--port ${port}: a TCP port is 1..65535`);
  const host = values.host ?? "127.0.0.1";
  const server = playgroundServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => reject(new InputError(`cannot listen on ${host}:${port}: ${e.code === "EADDRINUSE" ? "the port is in use" : e.message}`, { cause: e })));
    server.listen(port, host, resolve);
  });
  process.stdout.write(`wabpf playground: http://${host}:${port}/  (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
  server.close();
  return 0;
}
