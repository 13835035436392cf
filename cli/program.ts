// The `tideline` program: every command and the one place errors become messages and exit codes.
// Every command authenticates with an API token (Authorization: Bearer) and never touches the database.
import { Command, CommanderError, Option } from "commander";
import { CliError, EXIT, EXIT_CODES_HELP } from "./errors";
import { registerAuth } from "./commands/auth";
import { registerApps } from "./commands/apps";
import { registerSync } from "./commands/sync";
import { registerPromotions } from "./commands/promotions";
import { registerChanges } from "./commands/changes";
import { registerInfra } from "./commands/infra";

export function buildProgram(): Command {
  const program = new Command("tideline")
    .description("Tideline GitOps control room from the command line: sync, promote, approve and roll back environments")
    .version("0.1.0")
    .option("--context <name>", "use this context from the config file instead of the current one")
    .option("--server <url>", "Tideline server URL (with TIDELINE_TOKEN: no config file needed)")
    .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json", "yaml"]).default("table"))
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText(
      "after",
      `
Environment:
  TIDELINE_SERVER, TIDELINE_TOKEN  server and API token (CI); override the config file
  TIDELINE_CONTEXT                 context to use (like --context)
  TIDELINE_CONFIG                  config file (default $XDG_CONFIG_HOME/tideline/config.json or ~/.config/tideline/config.json)
${EXIT_CODES_HELP}`,
    );
  registerAuth(program);
  registerApps(program);
  registerSync(program);
  registerPromotions(program);
  registerChanges(program);
  registerInfra(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with code 0; commander has printed the usage error already.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof CliError) {
      process.stderr.write(`error: ${e.message}\n`);
      for (const line of e.details) process.stderr.write(`  ${line}\n`);
      return e.exitCode;
    }
    process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT.failed;
  }
}
