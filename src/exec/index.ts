export * from "./guest-memory.js";
export * from "./helpers.js";
export * from "./test-helpers.js";
export * from "./run.js";
export * from "./callbacks.js";
export * from "./engine.js";
export * from "./kfuncs.js";
