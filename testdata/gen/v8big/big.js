// Writes three big V8 heap snapshots (baseline, target, final) of a Node
// program, for benchmarks against memlab: no fixture is committed.
//
// usage: node --expose-gc --max-old-space-size=4096 testdata/gen/v8big/big.js --nodes 1000000 --out DIR
//
// The heap holds a long-lived store of Item objects (each an object, its
// unique name string and a small tags object: about 3 snapshot nodes)
// sized so that the snapshots have about --nodes nodes, and a leak: a
// module-level array `leaked` that gains Record objects (a Record and
// its label string) between the snapshots, 1% of --nodes each time.
'use strict';

const v8 = require('v8');
const path = require('path');
const fs = require('fs');

class Item {
  constructor(i) {
    this.name = 'item-' + i;
    this.tags = { id: i, kind: 'static' };
  }
}

class Record {
  constructor(i) {
    this.seq = i;
    this.label = 'record-' + i;
  }
}

const store = [];
const leaked = [];

function main() {
  let nodes = 1000000;
  let out = '.';
  const args = process.argv.slice(2);
  while (args.length > 0) {
    const a = args.shift();
    if (a === '--nodes') nodes = Number(args.shift());
    else if (a === '--out') out = args.shift();
    else {
      console.error('usage: node --expose-gc big.js --nodes N --out DIR');
      process.exit(2);
    }
  }
  fs.mkdirSync(out, { recursive: true });
  const items = Math.floor((nodes - 45000) / 3);
  for (let i = 0; i < items; i++) store.push(new Item(i));
  let seq = 0;
  const names = ['baseline', 'target', 'final'];
  for (const name of names) {
    for (let i = 0; i < nodes / 100 / 2; i++) leaked.push(new Record(seq++));
    gc();
    gc();
    const file = path.join(out, `${name}.heapsnapshot`);
    v8.writeHeapSnapshot(file);
    console.log(`wrote ${file}: ${fs.statSync(file).size} bytes`);
  }
}

main();
