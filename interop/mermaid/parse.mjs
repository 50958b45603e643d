// Parse each Mermaid file named on the command line with Mermaid's own parser
// (mermaid.parse, in jsdom: Mermaid needs a DOM even to parse). Prints one line per file;
// exits 1 when any file does not parse as a flowchart. Used by `make test-mermaid`.
import fs from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
globalThis.Element = dom.window.Element;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node parse.mjs FILE.mmd...");
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  try {
    const found = await mermaid.parse(fs.readFileSync(file, "utf8"));
    if (!found || !String(found.diagramType).startsWith("flowchart")) {
      throw new Error(`not a flowchart: ${found && found.diagramType}`);
    }
  } catch (error) {
    failed += 1;
    const message = String((error && error.message) || error).split("\n").join(" | ");
    console.log(`${file}: does not parse: ${message}`);
  }
}
const { version } = JSON.parse(
  fs.readFileSync(new URL("./node_modules/mermaid/package.json", import.meta.url), "utf8"),
);
console.log(`Mermaid ${version}: ${files.length - failed} of ${files.length} charts parse`);
process.exit(failed ? 1 : 0);
