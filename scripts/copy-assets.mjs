// Copy the package's runtime assets (src/assets: the bench BPF objects and their C sources)
// next to the code that loads them: `node scripts/copy-assets.mjs dist/assets` for the Node
// build (dist/kernel/… resolves ../assets/…), `web/assets` for the browser bundle in web/dist.
// The objects are committed (clang may be absent); scripts/build-fixtures.sh rebuilds them.
import { cpSync, rmSync } from "node:fs";

const dest = process.argv[2];
if (dest === undefined) {
  console.error("usage: node scripts/copy-assets.mjs DEST");
  process.exit(2);
}
rmSync(dest, { recursive: true, force: true });
cpSync("src/assets", dest, { recursive: true });
