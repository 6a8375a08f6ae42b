#!/usr/bin/env node
// The `podlife` command: runs the TypeScript CLI in-process through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
