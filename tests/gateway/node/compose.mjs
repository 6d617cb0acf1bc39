// node compose.mjs NAME=SDL_FILE=URL ... OUT: a supergraph from subgraph SDLs, or the errors.
import { readFileSync, writeFileSync } from "node:fs";
import { composeServices } from "@theguild/federation-composition";
import { parse } from "graphql";

const args = process.argv.slice(2);
const out = args.pop();
const services = args.map((arg) => {
  const [name, file, url] = arg.split("=");
  return { name, typeDefs: parse(readFileSync(file, "utf8")), url };
});
const result = composeServices(services);
if (result.errors && result.errors.length) {
  console.error(result.errors.map((e) => e.message).join("\n"));
  process.exit(1);
}
writeFileSync(out, result.supergraphSdl);
