// The API the example drivers use, from the built package (npm run build; in an installed
// package, dist/ is next to this folder too).
export { createMachine, SimKernel, RingBuffer, PerfBuffer, prepareWorkloads, runWorkload } from "../dist/index.js";
