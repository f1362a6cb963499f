#!/usr/bin/env node
// Compiles the reference contracts in contracts/src with solc-js and writes one artifact per
// deployable contract to handwritten/ogpu/devnet/artifacts/<Name>.json.
//
//   node contracts/build.mjs          rebuild the artifacts and print each runtime size
//   node contracts/build.mjs --check  rebuild in memory; exit 1 naming every stale artifact
//
// Artifacts are written with sorted keys, 2-space indent and a trailing newline, so a rebuild
// of unchanged sources is byte-identical.

import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC_DIR = join(ROOT, "contracts", "src");
const NODE_MODULES = join(ROOT, "node_modules");
const ARTIFACT_DIR = join(ROOT, "handwritten", "ogpu", "devnet", "artifacts");

/** Deployable contracts that get an artifact (abstract bases and type files get none). */
const CONTRACTS = [
  "Controller",
  "Manager",
  "Nexus",
  "Response",
  "Source",
  "Task",
  "Terminal",
  "Vault",
  "VaultTestnet",
];

/** EIP-170 limit on deployed (runtime) code. */
const CODE_SIZE_LIMIT = 24576;

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "cancun",
};

/** Standard-JSON sources, keyed by their path relative to the repository root. */
function readSources() {
  const sources = {};
  for (const name of readdirSync(SRC_DIR).filter((f) => f.endsWith(".sol")).sort()) {
    const path = join(SRC_DIR, name);
    sources[relative(ROOT, path)] = { content: readFileSync(path, "utf8") };
  }
  return sources;
}

/** Resolves package imports such as "@openzeppelin/contracts/..." from node_modules. */
function findImport(path) {
  const file = join(NODE_MODULES, path);
  if (!existsSync(file)) {
    return { error: `import not found: ${path}` };
  }
  return { contents: readFileSync(file, "utf8") };
}

function compile() {
  const input = {
    language: "Solidity",
    sources: readSources(),
    settings: {
      ...SETTINGS,
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const problems = output.errors ?? [];
  for (const problem of problems) {
    process.stderr.write(problem.formattedMessage ?? problem.message);
  }
  if (problems.some((p) => p.severity === "error")) {
    throw new Error("compilation failed");
  }
  return output.contracts;
}

/** Copy of `value` with every object's keys in sorted order. */
function sortKeys(value) {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

function artifactText(name, compiled) {
  const artifact = {
    contractName: name,
    abi: compiled.abi,
    bytecode: `0x${compiled.evm.bytecode.object}`,
    compiler: { solc: solc.version(), optimizer: SETTINGS.optimizer, evmVersion: SETTINGS.evmVersion },
  };
  return `${JSON.stringify(sortKeys(artifact), null, 2)}\n`;
}

/** Map of contract name to its compiled output, found by name across source units. */
function byName(contracts) {
  const found = {};
  for (const unit of Object.values(contracts)) {
    for (const [name, compiled] of Object.entries(unit)) {
      found[name] = compiled;
    }
  }
  for (const name of CONTRACTS) {
    if (!found[name]) {
      throw new Error(`contract ${name} not found in contracts/src`);
    }
  }
  return found;
}

function main(argv) {
  const check = argv.includes("--check");
  const compiled = byName(compile());
  const stale = [];
  if (!check) {
    mkdirSync(ARTIFACT_DIR, { recursive: true });
  }
  for (const name of CONTRACTS) {
    const path = join(ARTIFACT_DIR, `${name}.json`);
    const text = artifactText(name, compiled[name]);
    const size = compiled[name].evm.deployedBytecode.object.length / 2;
    if (check) {
      if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
        stale.push(relative(ROOT, path));
      }
    } else {
      writeFileSync(path, text);
      const flag = size > CODE_SIZE_LIMIT ? "  OVER the 24576-byte limit" : "";
      console.log(`${name.padEnd(14)} runtime ${String(size).padStart(6)} bytes${flag}`);
    }
  }
  if (stale.length > 0) {
    for (const path of stale) {
      console.error(`stale artifact: ${path} (run: node contracts/build.mjs)`);
    }
    return 1;
  }
  if (check) {
    console.log(`${CONTRACTS.length} artifacts are current`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
