#!/usr/bin/env node
// The `wabpf` executable: everything else lives in cli.ts so tests can call main() directly.
import { main } from "./cli.js";

process.exitCode = await main(process.argv.slice(2));
