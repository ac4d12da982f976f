// A Node program that leaks on purpose and writes V8 heap snapshots.
//
// usage: node --expose-gc testdata/gen/v8leak/leak.js [--out DIR] [-n N]
//
// Writes DIR/snap-1.heapsnapshot.gz … snap-N.heapsnapshot.gz (default DIR
// testdata/v8/leaky, N 4), each taken by v8.writeHeapSnapshot() after two
// full collections (gc()), then gzipped. Standard library only; no
// randomness and no wall-clock timers drive the work: a tick counter does,
// so the object counts are the same on every run (node ids differ).
//
// Leaks, per checkpoint (10 ticks):
//   bus (EventEmitter)   +40 listeners 'update', each a closure onUpdate
//                        over a Session (context variable session)
//   lookupProfile        closure-private Map cache: +30 Profile entries
//   registry.records     array on a module-level object: +50 AuditRecord
// Controls (no leak):
//   ring (RingBuffer)    64 slots, full before the first snapshot, overwritten
//   per-request Request  objects built and dropped every tick
//   timers               setTimeout/setInterval scheduled and cleared
'use strict';

const v8 = require('v8');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { EventEmitter } = require('events');

if (typeof gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}

// --- leak 1: listeners on a long-lived emitter, never removed ------------

class Session {
  constructor(id) {
    this.id = id;
    this.user = 'user-' + id;
    this.scopes = ['read', 'write'];
  }
}

const bus = new EventEmitter();
bus.setMaxListeners(0);

function subscribe(id) {
  const session = new Session(id);
  function onUpdate(msg) {
    session.last = msg;
  }
  bus.on('update', onUpdate);
}

// --- leak 2: a closure-private Map cache, never evicted -------------------

class Profile {
  constructor(key) {
    this.key = key;
    this.prefs = { theme: 'dark', lang: 'en' };
  }
}

const lookupProfile = (() => {
  const cache = new Map();
  return function lookupProfile(key) {
    let p = cache.get(key);
    if (p === undefined) {
      p = new Profile(key);
      cache.set(key, p);
    }
    return p;
  };
})();

// --- leak 3: a growing array on a module-level object ---------------------

class AuditRecord {
  constructor(seq, action) {
    this.seq = seq;
    this.action = action;
    this.at = seq * 1000;
  }
}

const registry = { name: 'audit', records: [] };

function audit(seq) {
  registry.records.push(new AuditRecord(seq, 'login'));
}

// --- controls --------------------------------------------------------------

class RingEntry {
  constructor(seq) {
    this.seq = seq;
    this.text = 'entry-' + seq;
  }
}

class RingBuffer {
  constructor(size) {
    this.slots = new Array(size).fill(null);
    this.next = 0;
  }
  push(x) {
    this.slots[this.next] = x;
    this.next = (this.next + 1) % this.slots.length;
  }
}

const ring = new RingBuffer(64);

class Request {
  constructor(seq) {
    this.seq = seq;
    this.headers = { accept: 'application/json' };
    this.body = 'payload-' + seq;
  }
}

function handleRequest(seq) {
  const req = new Request(seq);
  const t = setTimeout(() => req.body.length, 60000);
  clearTimeout(t);
  const iv = setInterval(() => req.seq, 60000);
  clearInterval(iv);
  return req.body.length;
}

// --- the work, driven by ticks ---------------------------------------------

let seq = 0;
function tick() {
  for (let i = 0; i < 4; i++) subscribe(seq++);
  for (let i = 0; i < 3; i++) lookupProfile('user-' + seq++);
  for (let i = 0; i < 5; i++) audit(seq++);
  for (let i = 0; i < 8; i++) ring.push(new RingEntry(seq++));
  for (let i = 0; i < 20; i++) handleRequest(seq++);
}

function checkpoint(out, n) {
  gc();
  gc();
  const raw = path.join(out, `snap-${n}.heapsnapshot`);
  v8.writeHeapSnapshot(raw);
  fs.writeFileSync(raw + '.gz', zlib.gzipSync(fs.readFileSync(raw), { level: 9 }));
  fs.unlinkSync(raw);
}

function main() {
  let out = 'testdata/v8/leaky';
  let n = 4;
  const args = process.argv.slice(2);
  while (args.length > 0) {
    const a = args.shift();
    if (a === '--out') out = args.shift();
    else if (a === '-n') n = Number(args.shift());
    else {
      console.error('usage: node --expose-gc leak.js [--out DIR] [-n N]');
      process.exit(2);
    }
  }
  fs.mkdirSync(out, { recursive: true });
  // Warm up: the ring is full and every code path has run before the
  // first snapshot. Each tick and each checkpoint runs in its own
  // macrotask, as a service's work does, so no stack frame holds the
  // module's objects when a snapshot is taken.
  let t = 0;
  let c = 0;
  const step = () => {
    tick();
    t++;
    if (t >= 10 && t % 10 === 0) {
      setImmediate(() => {
        checkpoint(out, ++c);
        if (c < n) setImmediate(step);
        else {
          console.log(`wrote ${n} snapshots to ${out}; bus has ${bus.listenerCount('update')} listeners, ` +
            `${registry.records.length} records`);
        }
      });
      return;
    }
    setImmediate(step);
  };
  setImmediate(step);
}

main();
