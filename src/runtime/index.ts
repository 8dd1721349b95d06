export { loadRuntime, type AsRuntime, type AsRuntimeExports } from "./as-runtime.js";
export { Machine, createMachine, formatTraceLine, type MachineOptions, type ClockSettings, type ProgramEntry, type ProgramOptions, type TaskSpec, type TraceEvent } from "./machine.js";
export { BpfMap, BatchError, createMap, type MapSpec, type BatchResult } from "./maps.js";
export { MAP_TYPES, MAP_FLAGS, UPDATE_FLAGS, IMPLEMENTED_MAP_TYPES, mapTypeName, mapTypeNumber, type MapTypeName } from "./map-types.js";
export { kernelHelpers, KERNEL_HELPER_IDS, BPF_MAX_LOOPS } from "./kernel-helpers.js";
export { SimAddressSpaces, TASK_SIZE_MAX, type AddressSpace } from "./sim-memory.js";
export { bprintf, MAX_BPRINTF_BUF, MAX_BPRINTF_BIN_ARGS, MAX_BPRINTF_VARARGS, MAX_TRACE_PRINTK_VARARGS, type PrintkMemory } from "./printk.js";
export { SeqFile, BpfIterReader, IterReadError, SEQ_BUF_SIZE, type IterTarget, type SeqFileHost } from "./seq-file.js";
export { LOCAL_STORAGE_GET_F_CREATE } from "./storage-helpers.js";
export { formatMapDump, formatMapDumpJson, bpftoolHex } from "./map-dump.js";
export { TypedMap, codecs, type Codec } from "./typed-map.js";
export {
  RingBuffer, PerfBuffer, positions as ringbufPositions, ringData, setConsumerPos, OUTPUT_HELPER_IDS, BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT,
  BPF_RINGBUF_HDR_SZ, BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP, BPF_RB_AVAIL_DATA, BPF_RB_RING_SIZE, BPF_RB_CONS_POS, BPF_RB_PROD_POS, BPF_F_INDEX_MASK,
  BPF_F_CURRENT_CPU, PERF_RECORD_LOST, PERF_RECORD_SAMPLE, MAX_RINGBUF_SIZE, type RingbufSampleFn, type RingbufRecord, type RingPositions,
  type RecordsOptions, type PerfBufferOptions, type PerfEventRecord,
} from "./output.js";
export { defaultEngine, prepareProgram, type EngineProgram } from "./engine.js";
