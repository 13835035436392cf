// `tideline`: the command line for Tideline's public HTTP API (argocd/flux style). The entry
// point of the bundle (cli/dist/tideline.mjs) and of the tsx fallback in cli/bin.mjs.
import { main } from "./program";

process.exit(await main(process.argv));
