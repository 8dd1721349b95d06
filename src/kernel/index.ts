export { SimKernel, Link, MultiLink, MAX_TRAMP_LINKS, KERNEL_TEXT_BASE, MULTI_MAX_ARGS, type KernelOptions, type KernelFunction, type TaskSpec, type MultiAttachOptions } from "./kernel.js";
export { KernelProgram, parseTracingSection, verifyForKernel, TRACING_HELPER_IDS, type TracingKind } from "./program.js";
export { BUILTIN_FUNCTIONS, TRIGGER_FUNCTION, generatedFunctions, modifyReturnAllowed, type KernelFunctionSpec, type Param } from "./functions.js";
export { buildVmlinuxBtf, TypeResolver } from "./vmlinux-btf.js";
export { accessedArgs, checkMultiTarget, ctxNeeds, needsFrame, type AccessedArgs, type CtxNeeds } from "./multi.js";
export { runTriggerBench, formatTriggerTable, triggerRatios, perEventNs, seriesPerEventNs, defaultTriggerObject, TRIGGER_VARIANTS, SERIES_MPS, type TriggerVariant, type TriggerResult, type TriggerBenchOptions } from "./bench-trigger.js";
