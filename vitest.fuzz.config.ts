import { defineConfig } from "vitest/config";

// `npm run fuzz`: the same generated-program tests with many more iterations.
export default defineConfig({
  test: {
    include: ["test/**/*.fuzz.test.ts", "test/**/*.test.ts"],
    testTimeout: 3_600_000,
    env: { WABPF_FUZZ_ITERATIONS: process.env["WABPF_FUZZ_ITERATIONS"] ?? "20000" },
  },
});
