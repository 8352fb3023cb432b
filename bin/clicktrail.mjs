#!/usr/bin/env node
// The `clicktrail` command: every subcommand lives in the compiled dist/host/cli.js command table.
import { main } from "../dist/host/cli.js";

process.exitCode = await main(process.argv.slice(2));
