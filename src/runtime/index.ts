export { loadRuntime, type AsRuntime, type AsRuntimeExports } from "./as-runtime.js";
export { Machine, createMachine, type MachineOptions, type ClockSettings, type ProgramEntry, type ProgramOptions } from "./machine.js";
export { BpfMap, BatchError, createMap, type MapSpec, type BatchResult } from "./maps.js";
export { MAP_TYPES, MAP_FLAGS, UPDATE_FLAGS, IMPLEMENTED_MAP_TYPES, mapTypeName, mapTypeNumber, type MapTypeName } from "./map-types.js";
export { kernelHelpers, KERNEL_HELPER_IDS } from "./kernel-helpers.js";
export { formatMapDump, formatMapDumpJson, bpftoolHex } from "./map-dump.js";
export { TypedMap, codecs, type Codec } from "./typed-map.js";
