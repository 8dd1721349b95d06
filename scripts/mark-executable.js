// npm links `bin` entries itself, but a checkout run through `node dist/cli/main.js`
// or a packed tarball needs the executable bit on the compiled entry point.
import { chmodSync, existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);
