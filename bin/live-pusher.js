#!/usr/bin/env node
// Runs the CLI bundle (npm builds dist/ on install through the `prepare` script; see
// scripts/bundle.mjs for why the CLI is bundled).
import { main } from '../dist/node/cli-bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
