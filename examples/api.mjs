// The API the example drivers use, from the built package (npm run build). The workloads are
// not re-exported from the package root yet, so they come from their module under dist/.
export { createMachine, SimKernel, RingBuffer, PerfBuffer } from "../dist/index.js";
export { prepareWorkloads, runWorkload } from "../dist/kernel/workloads.js";
