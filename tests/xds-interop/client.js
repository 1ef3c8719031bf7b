// LightMesh xDS interop: a proxyless gRPC client driven over stdin/stdout.
//
//   GRPC_XDS_BOOTSTRAP=/path/bootstrap.json node client.js --target xds:///checkout:8080
//
// It creates ONE Echo client (one channel) for the target and keeps it for its
// whole life, so the xDS resources it receives from LightMesh stay in effect
// across commands. It reads newline-delimited JSON commands from stdin and
// writes exactly one JSON line per command to stdout (see README.md):
//   {"op":"calls","count":N,"headers":{..},"deadlineMs":2000,"concurrency":10}
//   {"op":"start","headers":{..},"concurrency":4,"deadlineMs":2000}
//   {"op":"stop"}
//   {"op":"wait","version":"v1","timeoutMs":15000,"headers":{..}}
//   {"op":"quit"}
// Diagnostics go to stderr only. EOF on stdin exits 0.
'use strict';

const path = require('path');
const readline = require('readline');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
require('@grpc/grpc-js-xds').register();

const DEFAULT_DEADLINE_MS = 2000;
const DEFAULT_CONCURRENCY = 10;
const DEFAULT_LOOP_CONCURRENCY = 4;
const DEFAULT_WAIT_TIMEOUT_MS = 15000;
const ERROR_PAUSE_MS = 20; // keeps failing loops from spinning the CPU
const MAX_ERROR_MESSAGES = 5;

function log(message) {
  process.stderr.write(`client: ${message}\n`);
}

function reply(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseArgs(argv) {
  let target = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target') target = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!target) throw new Error('--target is required');
  return { target };
}

// grpc-js-xds hides bootstrap errors behind an unrelated TypeError in call
// failures, so load the bootstrap up front with the library's own validator
// and fail loudly (stderr, exit 2) if it is rejected.
function checkBootstrap() {
  const { loadBootstrapInfo } = require('@grpc/grpc-js-xds/build/src/xds-bootstrap');
  loadBootstrapInfo();
}

function makeClient(target) {
  const def = protoLoader.loadSync(path.join(__dirname, 'echo.proto'), { keepCase: true });
  const Echo = grpc.loadPackageDefinition(def).lightmesh.interop.Echo;
  return new Echo(target, grpc.credentials.createInsecure());
}

function toMetadata(headers) {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(headers || {})) {
    for (const v of Array.isArray(value) ? value : [value]) md.add(key.toLowerCase(), String(v));
  }
  return md;
}

function positiveInt(value, fallback) {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

// Accumulates call outcomes in the reply shape shared by "calls" and "stop".
class Tally {
  constructor() {
    this.counts = {};
    this.instances = {};
    this.errors = 0;
    this.errorMessages = [];
    this.seen = new Set();
  }
  success(res) {
    this.counts[res.version] = (this.counts[res.version] || 0) + 1;
    this.instances[res.instance] = (this.instances[res.instance] || 0) + 1;
  }
  failure(err) {
    this.errors++;
    const msg = err && err.message ? err.message : String(err);
    // Messages differing only in timings ("after 1.999s") count as one.
    const key = msg.replace(/\d+(\.\d+)?s\b/g, 'Ns');
    if (this.errorMessages.length < MAX_ERROR_MESSAGES && !this.seen.has(key)) {
      this.seen.add(key);
      this.errorMessages.push(msg);
    }
  }
  toReply() {
    return {
      ok: true,
      counts: this.counts,
      instances: this.instances,
      errors: this.errors,
      errorMessages: this.errorMessages,
    };
  }
}

// One unary Version call; resolves (never rejects) with {res} or {err}.
function callOnce(client, headers, deadlineMs) {
  return new Promise((resolve) => {
    try {
      client.Version({}, toMetadata(headers), { deadline: Date.now() + deadlineMs }, (err, res) => {
        resolve(err ? { err } : { res });
      });
    } catch (err) {
      resolve({ err });
    }
  });
}

async function runCalls(client, cmd) {
  const total = Math.max(0, Number(cmd.count) || 0);
  const deadlineMs = positiveInt(cmd.deadlineMs, DEFAULT_DEADLINE_MS);
  const concurrency = positiveInt(cmd.concurrency, DEFAULT_CONCURRENCY);
  const tally = new Tally();
  let started = 0;
  async function worker() {
    while (started < total) {
      started++;
      const { err, res } = await callOnce(client, cmd.headers, deadlineMs);
      if (err) tally.failure(err);
      else tally.success(res);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return tally.toReply();
}

// Background call loop between "start" and "stop".
class Loop {
  constructor(client, cmd) {
    this.tally = new Tally();
    this.stopped = false;
    const deadlineMs = positiveInt(cmd.deadlineMs, DEFAULT_DEADLINE_MS);
    const concurrency = positiveInt(cmd.concurrency, DEFAULT_LOOP_CONCURRENCY);
    const worker = async () => {
      while (!this.stopped) {
        const { err, res } = await callOnce(client, cmd.headers, deadlineMs);
        if (err) {
          this.tally.failure(err);
          await sleep(ERROR_PAUSE_MS);
        } else {
          this.tally.success(res);
        }
      }
    };
    this.done = Promise.all(Array.from({ length: concurrency }, worker));
  }
  async stop() {
    this.stopped = true;
    await this.done;
    return this.tally.toReply();
  }
}

async function waitForVersion(client, cmd) {
  if (typeof cmd.version !== 'string') return { ok: false, error: 'wait needs "version"' };
  const timeoutMs = positiveInt(cmd.timeoutMs, DEFAULT_WAIT_TIMEOUT_MS);
  const end = Date.now() + timeoutMs;
  let attempts = 0;
  let last = 'no attempt made';
  while (Date.now() < end) {
    attempts++;
    const deadlineMs = Math.max(1, Math.min(DEFAULT_DEADLINE_MS, end - Date.now()));
    const { err, res } = await callOnce(client, cmd.headers, deadlineMs);
    if (res && res.version === cmd.version) return { ok: true, attempts };
    last = err ? err.message : `got version ${res.version} from ${res.instance}`;
    await sleep(err ? 100 : 20);
  }
  return { ok: false, error: `timed out after ${timeoutMs} ms and ${attempts} attempts; last: ${last}` };
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.target.startsWith('xds:')) checkBootstrap();
  } catch (err) {
    log(err.message);
    process.exit(2);
  }
  process.stdout.on('error', () => process.exit(0)); // reader went away
  const client = makeClient(args.target);
  let loop = null;

  const shutdown = async () => {
    if (loop) await loop.stop();
    client.close();
    process.exit(0);
  };

  async function handle(cmd) {
    switch (cmd && cmd.op) {
      case 'calls':
        return runCalls(client, cmd);
      case 'start':
        if (loop) return { ok: false, error: 'loop already started' };
        loop = new Loop(client, cmd);
        return { ok: true };
      case 'stop': {
        if (!loop) return { ok: false, error: 'no loop running' };
        const result = await loop.stop();
        loop = null;
        return result;
      }
      case 'wait':
        return waitForVersion(client, cmd);
      default:
        return { ok: false, error: `unknown op ${JSON.stringify(cmd && cmd.op)}` };
    }
  }

  // Commands run strictly one after another, in input order.
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) continue;
    let cmd;
    try {
      cmd = JSON.parse(line);
    } catch (err) {
      reply({ ok: false, error: `bad JSON: ${err.message}` });
      continue;
    }
    if (cmd && cmd.op === 'quit') {
      reply({ ok: true });
      break;
    }
    try {
      reply(await handle(cmd));
    } catch (err) {
      log(`command failed: ${err.stack || err}`);
      reply({ ok: false, error: String(err && err.message ? err.message : err) });
    }
  }
  await shutdown();
}

main();
