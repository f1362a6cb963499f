// Runs an offline js-ipfs node (npm `ipfs@0.66.1`) for the tests and the local devnet.
//
//   node ipfs_node.mjs --repo DIR [--api-port N] [--gateway-port N] [--node-modules DIR]
//                         [--stop-on-stdin-end]
//
// The node keeps its repo in DIR (created when missing), serves the Kubo-compatible RPC API and
// the HTTP gateway on 127.0.0.1 (port 0 or no flag: a free port), dials nobody (no bootstrap
// peers, no discovery, no preload, libp2p not started) and prints one JSON line
// {"api_url": ..., "gateway_url": ...} on stdout once both servers listen. SIGTERM or SIGINT
// stops it cleanly (repo lock released) with exit code 0, and so does the end of stdin with
// --stop-on-stdin-end (a parent holding the pipe died). Errors go to stderr, exit code 1.
//
// --node-modules names the folder holding the npm packages when this script does not sit below
// it (an installed wheel); otherwise the usual upward lookup finds them.

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

// js-ipfs 0.66.1 pulls in packages that call Promise.withResolvers (Node >= 22). Define it before
// the first import of ipfs, which is why the imports below are dynamic.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve
    let reject
    const promise = new Promise((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}

const LOOPBACK = '127.0.0.1'

function readOptions () {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string' },
      'api-port': { type: 'string', default: '0' },
      'gateway-port': { type: 'string', default: '0' },
      'node-modules': { type: 'string' },
      'stop-on-stdin-end': { type: 'boolean', default: false }
    }
  })
  if (!values.repo) {
    throw new Error('--repo DIR is required')
  }
  return {
    repo: values.repo,
    apiPort: parsePort(values['api-port'], '--api-port'),
    gatewayPort: parsePort(values['gateway-port'], '--gateway-port'),
    nodeModules: values['node-modules'],
    stopOnStdinEnd: values['stop-on-stdin-end']
  }
}

function parsePort (text, flag) {
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${flag} must be a port number, got ${JSON.stringify(text)}`)
  }
  return port
}

// The ESM entry point of an npm package: a bare import, or a file inside --node-modules.
async function importPackage (name, nodeModules) {
  if (!nodeModules) {
    return import(name)
  }
  const folder = join(nodeModules, name)
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'))
  const entry = manifest.exports?.['.']?.import ?? manifest.main ?? 'index.js'
  const file = join(folder, entry)
  if (!existsSync(file)) {
    throw new Error(`cannot find ${name} in ${nodeModules}`)
  }
  return import(pathToFileURL(file).href)
}

function nodeConfig (apiPort, gatewayPort) {
  return {
    Addresses: {
      Swarm: [],
      Announce: [],
      NoAnnounce: [],
      API: `/ip4/${LOOPBACK}/tcp/${apiPort}`,
      Gateway: `/ip4/${LOOPBACK}/tcp/${gatewayPort}`,
      RPC: '', // empty: no gRPC server
      Delegates: []
    },
    Bootstrap: [],
    Discovery: { MDNS: { Enabled: false }, webRTCStar: { Enabled: false } },
    Pubsub: { Enabled: false },
    Routing: { Type: 'none' }
  }
}

async function main () {
  const options = readOptions()
  const { Daemon } = await importPackage('ipfs-daemon', options.nodeModules)
  const daemon = new Daemon({
    repo: options.repo,
    offline: true,
    silent: true,
    preload: { enabled: false },
    init: { algorithm: 'Ed25519' },
    config: nodeConfig(options.apiPort, options.gatewayPort)
  })
  await daemon.start()

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    try {
      await daemon.stop()
      process.exit(0)
    } catch (err) {
      process.stderr.write(`ipfs_node: stop failed: ${err?.stack ?? err}\n`)
      process.exit(1)
    }
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  if (options.stopOnStdinEnd) {
    process.stdin.on('end', stop)
    process.stdin.on('error', stop)
    process.stdin.resume()
  }

  // ipfs-daemon exposes no accessor for the bound ports (needed when port 0 was asked for):
  // read them from its hapi servers
  const apiPort = daemon._httpApi._apiServers[0].info.port
  const gatewayPort = daemon._httpGateway._gatewayServers[0].info.port
  process.stdout.write(JSON.stringify({
    api_url: `http://${LOOPBACK}:${apiPort}`,
    gateway_url: `http://${LOOPBACK}:${gatewayPort}`
  }) + '\n')
}

main().catch((err) => {
  process.stderr.write(`ipfs_node: ${err?.stack ?? err}\n`)
  process.exit(1)
})
