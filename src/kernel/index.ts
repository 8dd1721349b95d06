export { SimKernel, Link, MultiLink, MAX_TRAMP_LINKS, BPF_TRACE_MAX_PROGS, KERNEL_TEXT_BASE, MULTI_MAX_ARGS, type KernelOptions, type KernelFunction, type TaskSpec, type MultiAttachOptions, type TracepointTarget } from "./kernel.js";
export { KernelProgram, parseTracingSection, parseProbeSection, sparseRegsViolation, ctxLoads, maxCtxOffset, verifyForKernel, TRACING_HELPER_IDS, OVERRIDE_RETURN, type TracingKind, type ProbeKind, type ProbeSection, type CtxLoad } from "./program.js";
export { archRegs, X86_64, ARM64, SIM_KERNEL_SP, SIM_KERNEL_FP, type Arch, type ArchRegs } from "./arch.js";
export { BUILTIN_TRACEPOINTS, BUILTIN_EVENTS, COMMON_FIELDS, SYSCALLS, formatEvent, type TraceEventSpec, type TracepointSite, type EventField } from "./tracepoints.js";
export { BUILTIN_FUNCTIONS, TRIGGER_FUNCTION, generatedFunctions, modifyReturnAllowed, type KernelFunctionSpec, type Param } from "./functions.js";
export { buildVmlinuxBtf, TypeResolver, traceEventStructName } from "./vmlinux-btf.js";
export { accessedArgs, checkMultiTarget, ctxNeeds, needsFrame, type AccessedArgs, type CtxNeeds } from "./multi.js";
export { runTriggerBench, formatTriggerTable, triggerRatios, perEventNs, seriesPerEventNs, defaultTriggerObject, defaultProbeTriggerObject, TRIGGER_VARIANTS, SERIES_MPS, type TriggerVariant, type TriggerResult, type TriggerBenchOptions } from "./bench-trigger.js";
