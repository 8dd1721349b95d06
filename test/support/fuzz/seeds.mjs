// The seed objects of the campaigns: every committed fixture object of the x86-64 build.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export function seedPaths() {
  const fixtures = fileURLToPath(new URL("../../fixtures/", import.meta.url));
  return ["object", "kernel", "probes", "core", "elf"].flatMap((d) =>
    readdirSync(join(fixtures, d)).filter((f) => f.endsWith(".o") && !f.includes("arm64")).sort().map((f) => join(fixtures, d, f)),
  );
}
