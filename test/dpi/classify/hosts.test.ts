import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostClassifier } from '../../../src/dpi/classify/hosts';

test('hosts: suffix and label patterns, longest first', () => {
  const h = new HostClassifier(['example.com', 1, 'cdn.example.com', 2, 'netflix.', 3]);
  assert.equal(h.classify('www.example.com'), 1);
  assert.equal(h.classify('a.cdn.example.com'), 2);
  assert.equal(h.classify('badexample.com'), 0);
  assert.equal(h.classify('WWW.Example.COM.'), 1);
  assert.equal(h.classify('netflix.co.uk'), 3);
  assert.equal(h.classify('x.netflix.example.com'), 1); // the longer suffix pattern wins
  assert.equal(h.classify('x.netflix.example.org'), 3);
  assert.equal(h.classify(''), 0);
});

test('hosts: answers given before a pattern is added are not kept', () => {
  const h = new HostClassifier(['example.com', 1]);
  assert.equal(h.classify('www.example.com'), 1);
  assert.equal(h.classify('www.other.org'), 0);
  assert.equal(h.classify('www.other.org'), 0);
  h.add('other.org', 5);
  assert.equal(h.classify('www.other.org'), 5);
  h.add('www.example.com', 7);
  assert.equal(h.classify('www.example.com'), 7);
  h.add('www.', 9);
  assert.equal(h.classify('www.example.com'), 7);
  assert.equal(h.classify('www.elsewhere.net'), 9);
});
