export { assemble } from "./assemble.js";
export { disassemble, formatInsn, kernelText, conformanceText, type DisasmOptions, type Syntax } from "./disassemble.js";
export { parseDataFile, parseHexProgram, type DataFile } from "./data-file.js";
export { helperName, helperId } from "./helper-names.js";
