// `wabpf show prog.o`: what an object holds, in the terms of `bpftool gen skeleton` and
// `bpftool btf dump`: programs with their types, maps, global data and a BTF summary.
import { parse } from "../args.js";
import { InputError } from "../program-file.js";
import { openObjectFile } from "../object-file.js";
import { mapTypeName } from "../../runtime/map-types.js";
import { SHOW_USAGE } from "../usage.js";


export async function showCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: "boolean" } });
  if (positionals.length !== 1) throw new InputError(`usage: ${SHOW_USAGE}`);
  const obj = await openObjectFile(positionals[0]!);
  const s = obj.spec;
  const kinds = new Map<string, number>();
  for (const t of s.btf?.types.slice(1) ?? []) kinds.set(t.kind, (kinds.get(t.kind) ?? 0) + 1);
  const info = {
    name: s.objName,
    license: s.license,
    kernel_version: s.kernelVersion,
    programs: s.programs.map((p) => ({
      name: p.name, section: p.section, prog_type: p.progType, expected_attach_type: p.expectedAttachType,
      attach_target: p.attachTarget === "" ? null : p.attachTarget, sleepable: p.sleepable, insns: p.insns.length,
    })),
    maps: s.maps.map((m) => ({
      name: m.name, kind: m.kind, type: mapTypeName(m.type), key_size: m.keySize, value_size: m.valueSize, max_entries: m.maxEntries, flags: m.flags,
      ...(m.inner !== null ? { inner: { type: mapTypeName(m.inner.type), key_size: m.inner.keySize, value_size: m.inner.valueSize, max_entries: m.inner.maxEntries } } : {}),
      ...(m.keyTypeId !== 0 && s.btf !== null ? { key_type: s.btf.typeString(m.keyTypeId) } : {}),
      ...(m.valueTypeId !== 0 && s.btf !== null ? { value_type: s.btf.typeString(m.valueTypeId) } : {}),
    })),
    btf: s.btf === null ? null : { types: s.btf.typeCount - 1, by_kind: Object.fromEntries([...kinds].sort()) },
    btf_ext: s.btfExt === null ? null : {
      func_info: s.btfExt.funcInfo.sections.reduce((n, x) => n + x.records.length, 0),
      line_info: s.btfExt.lineInfo.sections.reduce((n, x) => n + x.records.length, 0),
      core_relos: s.btfExt.coreRelos.sections.reduce((n, x) => n + x.records.length, 0),
    },
    ignored_sections: s.ignored,
  };
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  const out: string[] = [`object ${info.name}  license "${info.license}"${info.kernel_version !== null ? `  version ${info.kernel_version}` : ""}`, "", "programs:"];
  for (const p of info.programs) {
    out.push(`  ${p.name.padEnd(24)} ${p.section.padEnd(32)} ${p.prog_type}${p.expected_attach_type !== null ? ` (${p.expected_attach_type})` : ""}  ${p.insns} insns${p.sleepable ? "  sleepable" : ""}`);
  }
  out.push("", "maps:");
  for (const m of info.maps) {
    const types = "key_type" in m || "value_type" in m ? `  key ${m.key_type ?? "-"}  value ${m.value_type ?? "-"}` : "";
    out.push(`  ${m.name.padEnd(24)} ${m.type.padEnd(16)} key ${m.key_size}B  value ${m.value_size}B  max_entries ${m.max_entries}  flags 0x${m.flags.toString(16)}${types}`);
  }
  if (info.btf !== null) out.push("", `BTF: ${info.btf.types} types (${Object.entries(info.btf.by_kind).map(([k, n]) => `${k} ${n}`).join(", ")})`);
  if (info.btf_ext !== null) out.push(`BTF.ext: ${info.btf_ext.func_info} func_info, ${info.btf_ext.line_info} line_info, ${info.btf_ext.core_relos} CO-RE relocations`);
  for (const x of info.ignored_sections) out.push(`skipped section ${x.section}: ${x.reason}`);
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}
