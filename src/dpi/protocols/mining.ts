/**
 * Cryptocurrency mining pool protocols over TCP, all line-delimited
 * JSON-RPC: Stratum V1 (Bitcoin-style pools: "mining.subscribe",
 * "mining.authorize", "mining.submit", "mining.notify" ...), Ethereum Stratum
 * and getwork proxies ("eth_submitLogin", "eth_getWork", "eth_submitWork",
 * "eth_submitHashrate"), and the CryptoNote/Monero pool protocol (a "login"
 * method whose parameters carry "login", "pass" and the miner "agent").
 * The first message of the client must be a JSON object naming one of these
 * methods.
 * Ignores: Stratum V2 (binary, encrypted), job contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf } from '../bytes';

const METHODS = [
  '"mining.subscribe"', '"mining.authorize"', '"mining.submit"', '"mining.notify"', '"mining.extranonce.subscribe"',
  '"mining.configure"', '"eth_submitLogin"', '"eth_getWork"', '"eth_submitWork"', '"eth_submitHashrate"',
].map((m) => ascii(m));
const LOGIN = ascii('"login"');
const AGENT = ascii('"agent"');
const PASS = ascii('"pass"');
const METHOD = ascii('"method"');

export const dissector: Dissector = {
  id: P.Mining,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x7b], // '{'
  tcpFirstPacket: { short: [] }, // 20 bytes at least
  fields: [],
  doc: 'Mining pools: Stratum JSON-RPC (mining.subscribe/authorize ...), Ethereum getwork/stratum (eth_submitLogin ...), CryptoNote "login" with miner agent.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const end = off + ctx.len;
    if (ctx.len < 20 || buf[off] !== 0x7b /* { */) return Verdict.Exclude;
    const scanEnd = Math.min(end, off + 4096);
    if (indexOf(buf, off, scanEnd, METHOD) < 0) return ctx.dirIndex === 0 && ctx.dir === 1 ? Verdict.Continue : Verdict.Exclude;
    for (const m of METHODS) {
      if (indexOf(buf, off, scanEnd, m) >= 0) {
        ctx.detect(P.Mining);
        return Verdict.Done;
      }
    }
    if (indexOf(buf, off, scanEnd, LOGIN) >= 0 && indexOf(buf, off, scanEnd, PASS) >= 0 && indexOf(buf, off, scanEnd, AGENT) >= 0) {
      ctx.detect(P.Mining);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
