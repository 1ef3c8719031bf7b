// LightMesh xDS interop: a plain gRPC backend serving lightmesh.interop.Echo.
//
//   node backend.js --version v1 [--port 0]
//
// Binds 127.0.0.1:PORT (0 = any free port) with insecure credentials, answers
// Version with {version, instance: "127.0.0.1:PORT"}, prints exactly one line
// "LISTENING <port>" to stdout once bound, and exits 0 on SIGTERM/SIGINT.
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const BIND_TIMEOUT_MS = 5000;
const SHUTDOWN_TIMEOUT_MS = 2000;

function parseArgs(argv) {
  const args = { version: null, port: 0 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--version') args.version = argv[++i];
    else if (argv[i] === '--port') args.port = Number(argv[++i]);
    else fail(`unknown argument ${argv[i]}`);
  }
  if (!args.version) fail('--version is required');
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) fail('bad --port');
  return args;
}

function fail(message) {
  process.stderr.write(`backend: ${message}\n`);
  process.exit(2);
}

function loadEcho() {
  const def = protoLoader.loadSync(path.join(__dirname, 'echo.proto'), { keepCase: true });
  return grpc.loadPackageDefinition(def).lightmesh.interop.Echo;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const Echo = loadEcho();
  const server = new grpc.Server();
  let instance = null;

  server.addService(Echo.service, {
    Version(call, callback) {
      callback(null, { version: args.version, instance });
    },
  });

  const bindTimer = setTimeout(() => fail('timed out binding'), BIND_TIMEOUT_MS);
  server.bindAsync(`127.0.0.1:${args.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
    clearTimeout(bindTimer);
    if (err) fail(`bind failed: ${err.message}`);
    instance = `127.0.0.1:${port}`;
    process.stdout.write(`LISTENING ${port}\n`);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const forceTimer = setTimeout(() => {
      server.forceShutdown();
      process.exit(0);
    }, SHUTDOWN_TIMEOUT_MS);
    server.tryShutdown(() => {
      clearTimeout(forceTimer);
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
