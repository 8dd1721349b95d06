export { loadRuntime, type AsRuntime, type AsRuntimeExports } from "./as-runtime.js";
export { Machine, createMachine, formatTraceLine, type MachineOptions, type ClockSettings, type ProgramEntry, type ProgramOptions, type TaskSpec, type TraceEvent } from "./machine.js";
export { BpfMap, BatchError, createMap, type MapSpec, type BatchResult } from "./maps.js";
export { MAP_TYPES, MAP_FLAGS, UPDATE_FLAGS, IMPLEMENTED_MAP_TYPES, mapTypeName, mapTypeNumber, type MapTypeName } from "./map-types.js";
export { kernelHelpers, KERNEL_HELPER_IDS, BPF_MAX_LOOPS } from "./kernel-helpers.js";
export { SimAddressSpaces, TASK_SIZE_MAX, type AddressSpace } from "./sim-memory.js";
export { bprintf, MAX_BPRINTF_BUF, MAX_BPRINTF_BIN_ARGS, MAX_BPRINTF_VARARGS, MAX_TRACE_PRINTK_VARARGS, type PrintkMemory } from "./printk.js";
export { formatMapDump, formatMapDumpJson, bpftoolHex } from "./map-dump.js";
export { TypedMap, codecs, type Codec } from "./typed-map.js";
