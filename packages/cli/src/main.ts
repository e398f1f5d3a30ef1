#!/usr/bin/env node
import { runCli } from './cli.js';

runCli(process.argv, process.env).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`custos: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
