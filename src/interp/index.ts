export { runInterp } from "./interpreter.js";
