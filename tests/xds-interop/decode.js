// LightMesh xDS interop: conformance checker for the protobuf LightMesh emits,
// using Envoy's canonical .proto files (vendored by @grpc/grpc-js-xds) and
// protobufjs, independently of LightMesh's own generated C# classes.
//
// Binary mode (default):
//   node decode.js [--proto extra/file.proto ...] < items.json
//   stdin:  [{"name":"..","typeUrl":"type.googleapis.com/<type>","base64":"<message bytes>"}, ...]
//   stdout: [{"name","typeUrl","ok","problems":[..],"json":<decoded, Anys expanded under "@decoded">}, ...]
//   Each message (and every google.protobuf.Any nested in it, recursively) is
//   decoded with its own type and re-encoded; the bytes must be identical,
//   otherwise something was unknown to the canonical schema or got lost.
//   Exit 0 when every item is ok, 1 otherwise.
//
// JSON mode:
//   node decode.js --json-type envoy.config.bootstrap.v3.Bootstrap [--proto ..] < doc.json
//   Checks a proto3-JSON document (snake_case or lowerCamel keys) against the
//   type: every key must be a field at its place; then fromObject + verify.
//   stdout: {"ok":true} or {"ok":false,"problems":[..]}; exit 0 / 1.
'use strict';

const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');

const DEPS = path.join(__dirname, 'node_modules', '@grpc', 'grpc-js-xds', 'deps');
const INCLUDE_DIRS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(DEPS, d));

// Files whose types (and their imports) LightMesh may put on the wire.
const PROTO_FILES = [
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash.proto',
  'envoy/extensions/load_balancing_policies/pick_first/v3/pick_first.proto',
  'envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.proto',
  'envoy/extensions/load_balancing_policies/client_side_weighted_round_robin/v3/client_side_weighted_round_robin.proto',
  'udpa/type/v1/typed_struct.proto',
  'xds/type/v3/typed_struct.proto',
];

const TO_OBJECT = { longs: String, enums: String, bytes: String, defaults: false, oneofs: true };

// ---------------------------------------------------------------- loading

function loadRoot(extraFiles) {
  // protobufjs bundles any/duration/struct/...; register the other
  // well-known files (descriptor.proto is imported by validate.proto).
  for (const name of ['api', 'descriptor', 'source_context', 'type']) {
    const json = require(`protobufjs/google/protobuf/${name}.json`);
    protobuf.common(name, json.nested.google.nested.protobuf.nested);
  }
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of INCLUDE_DIRS) {
      const full = path.join(dir, target);
      if (fs.existsSync(full)) return full;
    }
    return target; // bundled google/protobuf files resolve by name
  };
  root.loadSync(PROTO_FILES.concat(extraFiles), { keepCase: true });
  root.resolveAll();
  return root;
}

function typeName(typeUrl) {
  return String(typeUrl).slice(String(typeUrl).lastIndexOf('/') + 1);
}

function findType(root, name) {
  try {
    return root.lookupType(name.replace(/^\./, ''));
  } catch (_) {
    return null;
  }
}

const isAny = (type) => type.fullName === '.google.protobuf.Any';
const messageTypeOf = (field) => (field.resolve().resolvedType instanceof protobuf.Type ? field.resolvedType : null);

// ---------------------------------------------------------------- binary mode

// Decodes bytes as `type`, byte-compares the re-encoding, and recurses into
// nested Anys. Returns the toObject JSON (or null if undecodable).
function checkMessage(root, bytes, type, where, problems) {
  let msg;
  try {
    msg = type.decode(bytes);
  } catch (err) {
    problems.push(`${where}: cannot decode as ${type.fullName.slice(1)}: ${err.message}`);
    return null;
  }
  if (!Buffer.from(type.encode(msg).finish()).equals(Buffer.from(bytes))) {
    problems.push(`${where}: unknown or lost bytes`);
    problems.push(...scanWire(bytes, type, where));
  }
  const json = type.toObject(msg, TO_OBJECT);
  expandAnys(root, msg, type, json, where, problems);
  return json;
}

// Walks the decoded message; every Any gets its value checked and its decoded
// form attached as json["@decoded"].
function expandAnys(root, msg, type, json, where, problems) {
  for (const field of type.fieldsArray) {
    const sub = messageTypeOf(field);
    const value = msg[field.name];
    if (!sub || value == null || json[field.name] == null) continue;
    const visit = (v, j, p) => (isAny(sub) ? expandAny(root, v, j, p, problems) : expandAnys(root, v, sub, j, p, problems));
    const at = `${where}.${field.name}`;
    if (field.map) Object.keys(value).forEach((k) => visit(value[k], json[field.name][k], `${at}[${JSON.stringify(k)}]`));
    else if (field.repeated) value.forEach((v, i) => visit(v, json[field.name][i], `${at}[${i}]`));
    else visit(value, json[field.name], at);
  }
}

function expandAny(root, any, json, where, problems) {
  if (!any.type_url) {
    problems.push(`${where}: Any without type_url`);
    return;
  }
  const type = findType(root, typeName(any.type_url));
  if (!type) {
    problems.push(`${where}: type ${typeName(any.type_url)} not found`);
    return;
  }
  json['@decoded'] = checkMessage(root, any.value || new Uint8Array(0), type, where, problems);
}

// Explains a byte mismatch: lists fields the schema does not know and fields
// with the wrong wire type, descending into nested messages (not into Anys,
// which are checked on their own).
function scanWire(bytes, type, where) {
  const out = [];
  const reader = protobuf.Reader.create(bytes);
  const seen = {};
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const id = tag >>> 3;
      const wireType = tag & 7;
      const field = type.fieldsById[id];
      if (!field) {
        out.push(`${where}: unknown field ${id} (wire type ${wireType})`);
        reader.skipType(wireType);
        continue;
      }
      const index = seen[id] = (seen[id] === undefined ? 0 : seen[id] + 1);
      const at = `${where}.${field.name}${field.repeated ? `[${index}]` : ''}`;
      const sub = messageTypeOf(field);
      const expected = sub || field.map ? 2 : field.resolvedType instanceof protobuf.Enum ? 0 : protobuf.types.basic[field.type];
      const packed = field.repeated && !sub && !field.map && wireType === 2;
      if (wireType !== expected && !packed) {
        out.push(`${at}: wire type ${wireType}, schema expects ${expected}`);
        reader.skipType(wireType);
      } else if (field.map) {
        out.push(...scanMapEntry(reader.bytes(), field, `${where}.${field.name}`));
      } else if (sub && !isAny(sub)) {
        out.push(...scanWire(reader.bytes(), sub, at));
      } else {
        reader.skipType(wireType);
      }
    }
  } catch (err) {
    out.push(`${where}: malformed wire data: ${err.message}`);
  }
  return out;
}

function scanMapEntry(bytes, field, where) {
  const reader = protobuf.Reader.create(bytes);
  const sub = messageTypeOf(field);
  let key = '?';
  let valueBytes = null;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 10 && field.keyType === 'string') key = JSON.stringify(reader.string());
    else if (tag === 18 && sub) valueBytes = reader.bytes();
    else reader.skipType(tag & 7);
  }
  return valueBytes && !isAny(sub) ? scanWire(valueBytes, sub, `${where}[${key}]`) : [];
}

function checkItem(root, item) {
  const problems = [];
  let json = null;
  const name = item && item.name;
  const typeUrl = item && item.typeUrl;
  const type = typeUrl ? findType(root, typeName(typeUrl)) : null;
  if (!typeUrl || typeof item.base64 !== 'string') problems.push('$: item needs "typeUrl" and "base64"');
  else if (!type) problems.push(`$: type ${typeName(typeUrl)} not found`);
  else json = checkMessage(root, Buffer.from(item.base64, 'base64'), type, '$', problems);
  return { name, typeUrl, ok: problems.length === 0, problems, json };
}

// ---------------------------------------------------------------- JSON mode

const WRAPPERS = ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
  (w) => `.google.protobuf.${w}Value`
);
const INT64_TYPES = ['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'];
const INT32_TYPES = ['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32'];

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function fieldForKey(type, key) {
  if (type.fields[key]) return type.fields[key];
  return type.fieldsArray.find((f) => (f.options && f.options.json_name) === key || camel(f.name) === key) || null;
}

// Converts proto3 JSON into the plain-object shape protobufjs' fromObject and
// verify understand, recording every key or value that does not fit.
function normalize(root, value, type, where, problems) {
  const name = type.fullName;
  if (name === '.google.protobuf.Any') return normalizeAny(root, value, where, problems);
  if (name === '.google.protobuf.Duration' || name === '.google.protobuf.Timestamp') {
    return normalizeTime(value, name, where, problems);
  }
  if (WRAPPERS.includes(name)) return { value: normalizeScalar(value, type.fields.value, where, problems) };
  if (name === '.google.protobuf.Struct') {
    if (!isPlainObject(value)) return bad(problems, where, 'expected a JSON object for Struct');
    const fields = {};
    for (const [k, v] of Object.entries(value)) fields[k] = normalizeValue(v);
    return { fields };
  }
  if (name === '.google.protobuf.Value') return normalizeValue(value);
  if (name === '.google.protobuf.ListValue') {
    if (!Array.isArray(value)) return bad(problems, where, 'expected a JSON array for ListValue');
    return { values: value.map(normalizeValue) };
  }
  if (name === '.google.protobuf.FieldMask') {
    if (typeof value !== 'string') return bad(problems, where, 'expected a string for FieldMask');
    return { paths: value ? value.split(',').map(snake) : [] };
  }
  if (!isPlainObject(value)) return bad(problems, where, `expected a JSON object for ${name.slice(1)}`);

  const out = {};
  const oneofsSet = {};
  for (const [key, v] of Object.entries(value)) {
    const field = fieldForKey(type, key);
    const at = `${where}.${key}`;
    if (!field) {
      problems.push(`${at}: not a field of ${name.slice(1)}`);
      continue;
    }
    const sub = messageTypeOf(field);
    if (v === null && !(sub && sub.fullName === '.google.protobuf.Value')) continue; // null = default
    if (field.partOf) {
      const group = field.partOf.name;
      if (oneofsSet[group]) problems.push(`${at}: oneof ${group} already set by ${oneofsSet[group]}`);
      oneofsSet[group] = field.name;
    }
    out[field.name] = normalizeField(root, v, field, at, problems);
  }
  return out;
}

function normalizeField(root, value, field, where, problems) {
  const one = (v, at) => {
    const sub = messageTypeOf(field);
    return sub ? normalize(root, v, sub, at, problems) : normalizeScalar(v, field, at, problems);
  };
  if (field.map) {
    if (!isPlainObject(value)) return bad(problems, where, 'expected a JSON object for a map');
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = one(v, `${where}[${JSON.stringify(k)}]`);
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) return bad(problems, where, 'expected a JSON array');
    return value.map((v, i) => one(v, `${where}[${i}]`));
  }
  return one(value, where);
}

function normalizeScalar(value, field, where, problems) {
  const t = field.type;
  if (field.resolvedType instanceof protobuf.Enum) {
    const e = field.resolvedType;
    if (typeof value === 'string' && value in e.values) return e.values[value]; // verify wants numbers
    if (Number.isInteger(value)) return value;
    return bad(problems, where, `${JSON.stringify(value)} is not a value of enum ${e.fullName.slice(1)}`);
  }
  if (t === 'string') return typeof value === 'string' ? value : bad(problems, where, 'expected a string');
  if (t === 'bool') return typeof value === 'boolean' ? value : bad(problems, where, 'expected true/false');
  if (t === 'bytes') return typeof value === 'string' ? value : bad(problems, where, 'expected base64 text');
  const numeric = typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value)));
  if (INT64_TYPES.includes(t)) {
    if (!numeric || !/^-?\d+$/.test(String(value))) return bad(problems, where, 'expected an integer');
    return protobuf.util.Long.fromString(String(value), t.startsWith('u') || t === 'fixed64');
  }
  if (INT32_TYPES.includes(t)) return numeric && Number.isInteger(Number(value)) ? Number(value) : bad(problems, where, 'expected an integer');
  if (t === 'double' || t === 'float') {
    if (['NaN', 'Infinity', '-Infinity'].includes(value)) return Number(value);
    return numeric ? Number(value) : bad(problems, where, 'expected a number');
  }
  return bad(problems, where, `unhandled scalar type ${t}`);
}

function normalizeTime(value, name, where, problems) {
  if (typeof value !== 'string') return bad(problems, where, `expected a string for ${name.slice(1)}`);
  if (name === '.google.protobuf.Duration') {
    const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(value);
    if (!m) return bad(problems, where, `bad Duration ${JSON.stringify(value)}`);
    const sign = m[1] ? -1 : 1;
    return { seconds: sign * Number(m[2]), nanos: sign * Number((m[3] || '').padEnd(9, '0')) };
  }
  const ms = Date.parse(value);
  if (isNaN(ms)) return bad(problems, where, `bad Timestamp ${JSON.stringify(value)}`);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

function normalizeValue(v) {
  if (v === null) return { nullValue: 0 };
  if (Array.isArray(v)) return { listValue: { values: v.map(normalizeValue) } };
  if (typeof v === 'object') {
    const fields = {};
    for (const [k, x] of Object.entries(v)) fields[k] = normalizeValue(x);
    return { structValue: { fields } };
  }
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return { stringValue: String(v) };
}

// {"@type": "...", ...fields} -> {type_url, value: <encoded bytes>}
function normalizeAny(root, value, where, problems) {
  if (!isPlainObject(value) || typeof value['@type'] !== 'string') return bad(problems, where, 'Any needs "@type"');
  const type = findType(root, typeName(value['@type']));
  if (!type) return bad(problems, where, `type ${typeName(value['@type'])} not found`);
  const { '@type': typeUrl, ...rest } = value;
  const special = type.fullName.startsWith('.google.protobuf.') && !isAny(type) && type.fullName !== '.google.protobuf.Empty';
  const plain = normalize(root, special ? rest.value : rest, type, `${where}<${typeName(typeUrl)}>`, problems);
  const bytes = encodePlain(type, plain, `${where}<${typeName(typeUrl)}>`, problems);
  return { type_url: typeUrl, value: bytes || new Uint8Array(0) };
}

function encodePlain(type, plain, where, problems) {
  if (plain === undefined) return null;
  const err = type.verify(plain);
  if (err) problems.push(`${where}: verify: ${err}`);
  try {
    return type.encode(type.fromObject(plain)).finish();
  } catch (e) {
    problems.push(`${where}: fromObject/encode failed: ${e.message}`);
    return null;
  }
}

function bad(problems, where, message) {
  problems.push(`${where}: ${message}`);
  return undefined;
}

function checkJson(root, typeArg, text) {
  const problems = [];
  const type = findType(root, typeArg);
  if (!type) return { ok: false, problems: [`type ${typeArg} not found`] };
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`bad JSON: ${err.message}`] };
  }
  const plain = normalize(root, doc, type, '$', problems);
  encodePlain(type, plain, '$', problems);
  return problems.length ? { ok: false, problems } : { ok: true };
}

// ---------------------------------------------------------------- main

function main() {
  const argv = process.argv.slice(2);
  let jsonType = null;
  const extra = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json-type') jsonType = argv[++i];
    else if (argv[i] === '--proto') extra.push(argv[++i]);
    else {
      process.stderr.write(`decode: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  const root = loadRoot(extra);
  const input = fs.readFileSync(0, 'utf8');

  if (jsonType) {
    const result = checkJson(root, jsonType, input);
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exitCode = result.ok ? 0 : 1;
    return;
  }

  let items;
  try {
    items = JSON.parse(input);
    if (!Array.isArray(items)) throw new Error('expected a JSON array');
  } catch (err) {
    process.stderr.write(`decode: bad input: ${err.message}\n`);
    process.exit(2);
  }
  const results = items.map((item) => checkItem(root, item));
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

main();
