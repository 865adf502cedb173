#!/usr/bin/env node
import { privateUmask } from '../config/data-dir';
import { buildProgram, runProgram } from './program';

// `node out/main/cli.js <command>` (the package's bin, `npm run plainview`). The installed
// app runs the same program from its Electron main process: src/main/index.ts.
privateUmask();
runProgram(buildProgram(), process.argv.slice(2));
