#!/usr/bin/env node
// Runs the compiled CLI (npm builds dist/ on install through the `prepare` script).
import { main } from '../dist/node/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
