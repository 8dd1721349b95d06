// The simulated kernel's AssemblyScript side (src/kernel is its host side).
export * from "./state";
export * from "./funcs";
export * from "./kfunc-md";
export * from "./helpers";
