#!/usr/bin/env node
// The `clicktrail` command: every subcommand lives in the compiled dist/cli/cli.js command table.
import { main } from "../dist/cli/cli.js";

process.exitCode = await main(process.argv.slice(2));
