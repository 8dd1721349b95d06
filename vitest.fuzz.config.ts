import { defineConfig } from "vitest/config";
import { SummaryReporter } from "./test/support/summary-reporter.js";

// `npm run fuzz`: the whole suite with the generated-program tests turned up (JIT vs
// interpreter, interpreter vs the kernel, mutated objects through the whole pipeline, mutated
// .BTF through parseBtf, mutated conformance programs through verify → interpreter vs JIT, with
// reproducers in fuzz-out/). Override the counts through the environment.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 3_600_000,
    pool: "forks",
    reporters: ["default", new SummaryReporter()],
    env: {
      WABPF_FUZZ_ITERATIONS: process.env["WABPF_FUZZ_ITERATIONS"] ?? "20000",
      WABPF_KERNEL_DIFF_COUNT: process.env["WABPF_KERNEL_DIFF_COUNT"] ?? "1500",
      WABPF_FUZZ_OBJECTS: process.env["WABPF_FUZZ_OBJECTS"] ?? "20000",
      WABPF_FUZZ_BTF: process.env["WABPF_FUZZ_BTF"] ?? "200000",
      WABPF_FUZZ_BYTECODE: process.env["WABPF_FUZZ_BYTECODE"] ?? "20000",
      WABPF_FUZZ_OUT: process.env["WABPF_FUZZ_OUT"] ?? "fuzz-out",
    },
  },
});
