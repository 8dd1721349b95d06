// The API the example drivers use, from the built package (npm run build): the simulated
// kernel and its workloads (not re-exported from the package root yet) and the output readers.
export { SimKernel } from "../dist/kernel/index.js";
export { prepareWorkloads, runWorkload } from "../dist/kernel/workloads.js";
export { createMachine, RingBuffer, PerfBuffer } from "../dist/index.js";
