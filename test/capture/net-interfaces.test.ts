/**
 * The interfaces of this host from sysfs: names (lo is always there), the
 * link type libpcap gives a capture on them, their counters; "any" and
 * names that cannot be interfaces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { interfaceCounters, interfaceExists, interfaceLinkType, listInterfaces } from '../../src/capture/net-interfaces';

const noSysfs = existsSync('/sys/class/net/lo') ? false : 'no sysfs (/sys/class/net)';

test('lo is listed and exists; made-up names, paths and "" do not; "any" does', { skip: noSysfs }, () => {
  const names = listInterfaces();
  assert.ok(names.includes('lo'));
  assert.deepEqual(names, [...names].sort());
  assert.equal(interfaceExists('lo'), true);
  assert.equal(interfaceExists('any'), true);
  for (const bad of ['ftnosuch0', '', '.', '..', '../lo', 'lo/']) assert.equal(interfaceExists(bad), false, bad);
});

test('link types: lo and "any" as libpcap captures them; unknown interfaces have none', { skip: noSysfs }, () => {
  assert.equal(interfaceLinkType('lo'), 1);
  assert.equal(interfaceLinkType('any'), 276);
  assert.equal(interfaceLinkType('ftnosuch0'), undefined);
});

test('counters are numbers for a real interface, absent for "any" and unknown ones', { skip: noSysfs }, () => {
  const c = interfaceCounters('lo');
  assert.ok(c !== undefined);
  for (const v of Object.values(c)) assert.ok(Number.isInteger(v) && v >= 0);
  assert.equal(interfaceCounters('any'), undefined);
  assert.equal(interfaceCounters('ftnosuch0'), undefined);
});
