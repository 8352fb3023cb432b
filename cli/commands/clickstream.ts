// `clicktrail clickstream`: the command-table entry for cli/clickstream/, which keeps its own usage error so
// that it stands alone; here that error becomes the CLI's UsageError (exit code 2 and the usage line).
import { clickstreamCommand as runClickstream, ClickstreamUsageError, usage } from "../clickstream/command.js";
import { UsageError, type Command } from "./args.js";

export const clickstreamCommand: Command = {
  summary: "turn access logs (Envoy's, or Apache's LogFormat) into click streams: text, --json or --html",
  usage,
  async run(args) {
    try {
      return await runClickstream(args);
    } catch (e) {
      if (e instanceof ClickstreamUsageError) throw new UsageError(e.message);
      throw e;
    }
  },
};
