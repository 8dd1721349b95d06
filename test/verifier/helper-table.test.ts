import { describe, expect, it } from "vitest";
import { HELPER } from "../../src/isa/helpers.js";
import { GPL_ONLY_HELPERS, TRACING_AVAILABLE, TRACING_GPL_ONLY_HELPERS, helperAvailable, isTracingAttachType, tracingHelperAvailable, tracingHelperRefusal } from "../../src/verifier/helper-table.js";

const TRAMPOLINE = ["trace_fentry", "trace_fexit", "modify_return", "lsm_mac"] as const;

describe("tracing helper table", () => {
  it("gives bpf_get_current_task_btf to tp_btf, iterators and trampolines, GPL-only", () => {
    for (const t of ["trace_raw_tp", "trace_iter", ...TRAMPOLINE]) expect(tracingHelperAvailable(t, HELPER.get_current_task_btf)).toBe(true);
    expect(TRACING_GPL_ONLY_HELPERS.has(HELPER.get_current_task_btf)).toBe(true);
    // raw_tracepoint (the older program type) has it too: the rows agree where they should
    expect(helperAvailable("raw_tracepoint", HELPER.get_current_task_btf)).toBe(true);
  });

  it("keeps bpf_seq_printf, bpf_seq_write and bpf_seq_printf_btf to iterators", () => {
    for (const id of [HELPER.seq_printf, HELPER.seq_write, HELPER.seq_printf_btf]) {
      expect(tracingHelperAvailable("trace_iter", id)).toBe(true);
      for (const t of ["trace_raw_tp", ...TRAMPOLINE]) expect(tracingHelperAvailable(t, id)).toBe(false);
      expect(TRACING_GPL_ONLY_HELPERS.has(id)).toBe(true);
    }
  });

  it("gives bpf_get_func_arg/_ret/_arg_cnt only to programs with a trampoline", () => {
    for (const id of [HELPER.get_func_arg, HELPER.get_func_ret, HELPER.get_func_arg_cnt]) {
      for (const t of TRAMPOLINE) expect(tracingHelperAvailable(t, id)).toBe(true);
      expect(tracingHelperAvailable("trace_raw_tp", id)).toBe(false);
      expect(tracingHelperAvailable("trace_iter", id)).toBe(false);
    }
  });

  it("gives bpf_get_attach_cookie to tp_btf and trampolines, not to iterators", () => {
    expect(tracingHelperAvailable("trace_raw_tp", HELPER.get_attach_cookie)).toBe(true);
    expect(tracingHelperAvailable("trace_fexit", HELPER.get_attach_cookie)).toBe(true);
    expect(tracingHelperAvailable("trace_iter", HELPER.get_attach_cookie)).toBe(false);
  });

  it("gives the lsm helpers to lsm_mac alone", () => {
    for (const id of [HELPER.inode_storage_get, HELPER.bprm_opts_set, HELPER.ima_file_hash]) {
      expect(tracingHelperAvailable("lsm_mac", id)).toBe(true);
      expect(tracingHelperAvailable("trace_fentry", id)).toBe(false);
    }
    // lsm_cgroup's helpers are not lsm_mac's
    expect(tracingHelperAvailable("lsm_mac", HELPER.get_retval)).toBe(false);
  });

  it("adds an iterator target's own helpers: iter/tcp and iter/unix may set socket options", () => {
    expect(tracingHelperAvailable("trace_iter", HELPER.setsockopt)).toBe(false);
    expect(tracingHelperAvailable("trace_iter", HELPER.setsockopt, "task")).toBe(false);
    expect(tracingHelperAvailable("trace_iter", HELPER.setsockopt, "tcp")).toBe(true);
    expect(tracingHelperAvailable("trace_iter", HELPER.getsockopt, "tcp")).toBe(true);
    expect(tracingHelperAvailable("trace_iter", HELPER.setsockopt, "unix")).toBe(true);
    expect(tracingHelperAvailable("trace_iter", HELPER.setsockopt, "udp")).toBe(false);
    expect(tracingHelperAvailable("trace_raw_tp", HELPER.setsockopt, "tcp")).toBe(false);
    expect(tracingHelperAvailable("trace_iter", HELPER.seq_printf, "tcp")).toBe(true);
  });

  it("refuses networking-only helpers and unknown attach types", () => {
    expect(tracingHelperAvailable("trace_raw_tp", HELPER.skb_load_bytes)).toBe(false);
    expect(tracingHelperAvailable("trace_raw_tp", HELPER.xdp_adjust_head)).toBe(false);
    expect(isTracingAttachType("trace_fentry")).toBe(true);
    expect(isTracingAttachType("sched_cls")).toBe(false);
    expect(tracingHelperAvailable("cgroup_inet_ingress", HELPER.map_lookup_elem)).toBe(false);
  });

  it("agrees with the per-type GPL-only set wherever both list a helper as available", () => {
    for (const id of TRACING_AVAILABLE.trace_raw_tp.split(" ").map(Number)) {
      if (helperAvailable("raw_tracepoint", id)) expect(TRACING_GPL_ONLY_HELPERS.has(id), `#${id}`).toBe(GPL_ONLY_HELPERS.has(id));
    }
  });

  it("refuses bpf_d_path past get_func_proto outside iterators, allowlisted targets and sleepable lsm hooks", () => {
    const NOT_ALLOWED = "helper call is not allowed in probe";
    for (const t of ["trace_raw_tp", "trace_iter", ...TRAMPOLINE]) expect(tracingHelperAvailable(t, HELPER.d_path)).toBe(true);
    expect(tracingHelperRefusal("trace_raw_tp", HELPER.d_path, { attachTarget: "sched_switch" })).toBe(NOT_ALLOWED);
    expect(tracingHelperRefusal("trace_iter", HELPER.d_path, { attachTarget: "task" })).toBeNull();
    expect(tracingHelperRefusal("trace_fentry", HELPER.d_path, { attachTarget: "vfs_truncate" })).toBeNull();
    expect(tracingHelperRefusal("trace_fexit", HELPER.d_path, { attachTarget: "filp_close" })).toBeNull();
    expect(tracingHelperRefusal("trace_fentry", HELPER.d_path, { attachTarget: "do_unlinkat" })).toBe(NOT_ALLOWED);
    expect(tracingHelperRefusal("lsm_mac", HELPER.d_path, { attachTarget: "file_open", sleepableHook: true })).toBeNull();
    expect(tracingHelperRefusal("lsm_mac", HELPER.d_path, { attachTarget: "file_mprotect" })).toBe(NOT_ALLOWED);
  });

  it("refuses the might-sleep helpers to programs that do not sleep", () => {
    const SLEEP = "helper call might sleep in a non-sleepable prog";
    for (const id of [HELPER.copy_from_user, HELPER.copy_from_user_task]) {
      expect(tracingHelperRefusal("trace_raw_tp", id)).toBe(SLEEP);
      expect(tracingHelperRefusal("trace_iter", id)).toBe(SLEEP);
      expect(tracingHelperRefusal("trace_fentry", id, { sleepable: true })).toBeNull();
    }
    expect(tracingHelperRefusal("lsm_mac", HELPER.ima_file_hash)).toBe(SLEEP);
    expect(tracingHelperRefusal("lsm_mac", HELPER.ima_file_hash, { sleepable: true })).toBeNull();
    expect(tracingHelperRefusal("trace_raw_tp", HELPER.map_lookup_elem)).toBeNull();
  });
});
